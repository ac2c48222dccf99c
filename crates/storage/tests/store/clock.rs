//! The sandbox clock: it only moves forward.

use std::sync::Arc;

use vpsd_storage::{Store, StoreError};

async fn the_clock_moves_forward_only(store: &Arc<dyn Store>) {
    assert_eq!(store.sandbox_offset().await.expect("offset"), 0);
    assert_eq!(store.sandbox_advance(3600).await.expect("advance"), 3600);
    assert_eq!(store.sandbox_advance(60).await.expect("advance"), 3660);
    let back = store.sandbox_advance(-60).await;
    assert!(matches!(back, Err(StoreError::StateChanged)), "{back:?}");
    assert_eq!(store.sandbox_offset().await.expect("offset"), 3660);
}

crate::both!(the_clock_moves_forward_only);
