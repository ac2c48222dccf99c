//! How the logs print an error: the error and every source under it.

/// Displays an error and each of its sources, `outer: inner: root`, for
/// the logs (`tracing::error!(error = %ErrorChain(&e), ...)`). An error's
/// own message names only its level (`StoreError::Database` says
/// "database", its sqlx source says what failed), so each cause is printed
/// once.
#[derive(Debug, Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorChain;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn prints_every_cause_once() {
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(ErrorChain(&e).to_string(), "outer: disk full");
    }
}
