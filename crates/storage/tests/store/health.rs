//! Health: the backend answers and says which it is.

use std::sync::Arc;

use vpsd_storage::Store;

async fn the_database_answers(store: &Arc<dyn Store>) {
    store.ping().await.expect("ping");
    assert!(["sqlite", "postgres"].contains(&store.backend()));
    let (open, idle) = store.pool_stats();
    assert!(idle <= open);
}

crate::both!(the_database_answers);
