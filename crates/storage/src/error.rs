//! One error type for every backend, so nothing above reads SQLSTATE codes.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (another row holds the value).
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The conditional debit found the balance short; nothing was written.
    #[error("insufficient funds")]
    InsufficientFunds,
    /// The row was not in the state the change needs (lost a race).
    #[error("state changed")]
    StateChanged,
    /// The database failed; the source says how (logs print it with
    /// `vpsd_domain::ErrorChain`, the operator commands with anyhow's `{:#}`).
    #[error("database")]
    Database(#[source] sqlx::Error),
    /// A migration failed; the source says which and why.
    #[error("migration")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db.constraint().unwrap_or("unique").to_owned(),
            },
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::StoreError;
    use vpsd_domain::ErrorChain;

    #[test]
    fn a_database_error_prints_its_cause_once() {
        let e = StoreError::from(sqlx::Error::PoolTimedOut);
        let printed = ErrorChain(&e).to_string();
        assert!(printed.starts_with("database: "), "{printed}");
        assert_eq!(printed.matches("timed out").count(), 1, "{printed}");
    }
}
