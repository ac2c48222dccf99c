//! List pages kept per process, exact across processes.
//!
//! Every change to a domain raises its account's number in
//! `domain_list_versions`, in the change's own transaction (triggers,
//! migration 0011). A page is kept with the number read in the same snapshot
//! as the page; it is handed out again only after the number is read anew
//! and found unchanged, so it is exactly what a read would give, whichever
//! process made the last change. Checking costs one primary-key read instead
//! of the page's scan (a search reads every domain of the account) and the
//! decoding of its rows.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::{DomainFilter, DomainPage};

/// Which page: the account, the filter, and the window.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub account_id: vpsd_domain::AccountId,
    pub filter: DomainFilter,
    pub offset: i64,
    pub limit: i64,
}

/// Kept pages and the list version each was read at.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    pages: HashMap<PageKey, (i64, DomainPage)>,
    /// Domains held by all kept pages together.
    domains: usize,
}

impl ListCache {
    /// Domains kept at most (about 10 MB); past it the cache starts over.
    const MAX_DOMAINS: usize = 20_000;

    /// The kept page and its version, if any.
    pub fn get(&self, key: &PageKey) -> Option<(i64, DomainPage)> {
        let kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        kept.pages.get(key).cloned()
    }

    /// Keeps `page`, read at `version`.
    pub fn put(&self, key: PageKey, version: i64, page: DomainPage) {
        let mut kept = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if kept.domains + page.domains.len() > Self::MAX_DOMAINS {
            kept.pages.clear();
            kept.domains = 0;
        }
        kept.domains += page.domains.len();
        if let Some((_, old)) = kept.pages.insert(key, (version, page)) {
            kept.domains -= old.domains.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(account_id: i64) -> PageKey {
        PageKey {
            account_id: account_id.into(),
            filter: DomainFilter::default(),
            offset: 0,
            limit: 50,
        }
    }

    #[test]
    fn keeps_the_newest_page_of_each_key() {
        let cache = ListCache::default();
        let page = DomainPage {
            total: 0,
            domains: std::sync::Arc::from(Vec::new()),
        };
        cache.put(key(1), 3, page.clone());
        cache.put(key(1), 4, page.clone());
        assert_eq!(cache.get(&key(1)).map(|(v, _)| v), Some(4));
        assert!(cache.get(&key(2)).is_none());
    }
}
