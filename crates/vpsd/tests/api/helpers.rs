//! The test harness: a real server on a random port, a fresh database for
//! each test (a SQLite file, or a database in a throwaway PostgreSQL
//! cluster that this process starts), and typed helpers to drive it.

mod app;
mod checks;
mod fixtures;
mod tools;

pub use app::*;
pub use checks::*;
pub use tools::*;

/// The test server's clock: frozen at the time the server started, moved
/// only by [`FrozenClock::advance`].
pub use vpsd_domain::FrozenClock;
/// The database a test runs on, and a fresh one of each (the PostgreSQL
/// ones in a throwaway cluster this process starts).
pub use vpsd_test_support::{fresh_database, Backend};

/// Writes each behavioural test once and runs it on both backends; after
/// each, every account's balance must equal the sum of its ledger.
///
/// The server's clock is frozen and its own worker off: a test moves time
/// with [`TestApp::advance`] and runs due work with [`TestApp::run_worker`].
/// `both!(worker: ...)` runs the tests against a server whose own worker
/// runs beside them (every 100 ms), for the tests about racing it; they sit
/// in a `with_worker` module, so one file may hold both kinds.
#[macro_export]
macro_rules! both {
    (worker: $($name:ident),* $(,)?) => {
        mod with_worker {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let app = $crate::helpers::TestApp::builder()
                            .worker(true)
                            .spawn($crate::helpers::Backend::Sqlite)
                            .await;
                        super::super::$name(&app).await;
                        app.finish().await;
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let app = $crate::helpers::TestApp::builder()
                            .worker(true)
                            .spawn($crate::helpers::Backend::Postgres)
                            .await;
                        super::super::$name(&app).await;
                        app.finish().await;
                    }
                )*
            }
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}
