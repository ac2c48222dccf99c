//! Drains the real registries' poll queues: each message is acted on
//! (`Registrar::act_on_registry_message`), then acknowledged.

use crate::registry_messages::MessageOutcome;
use crate::ErrorChain;

use super::{Pass, BATCH};

/// Takes up to a batch of messages off the queues. A message whose action
/// fails is not acknowledged (the registry gives it again next pass) and
/// ends this step, counted as a failure.
pub(super) async fn run(pass: &mut Pass<'_>) {
    let registrar = pass.registrar;
    for _ in 0..BATCH {
        let message = match registrar.registry.poll().await {
            Ok(Some(message)) => message,
            Ok(None) => return,
            Err(e) => {
                pass.outcome.failed += 1;
                tracing::error!(job = "registry_messages", error = %ErrorChain(&e),
                    "could not read a registry's poll queue; tried again next pass");
                return;
            }
        };
        let acted = registrar.act_on_registry_message(&message).await;
        let outcome = match acted {
            Ok(outcome) => outcome,
            Err(e) => {
                pass.outcome.failed += 1;
                tracing::error!(job = "registry_messages", registry = %message.registry,
                    message_id = %message.id, error = %ErrorChain(&e),
                    "acting on a registry message failed; it stays on the queue");
                return;
            }
        };
        if let Err(e) = registrar.registry.ack(&message).await {
            pass.outcome.failed += 1;
            tracing::error!(job = "registry_messages", registry = %message.registry,
                message_id = %message.id, error = %ErrorChain(&e),
                "acknowledging a registry message failed; seen again, it changes nothing");
            return;
        }
        pass.outcome.registry_messages += 1;
        match outcome {
            MessageOutcome::TransferredOut => pass.outcome.transfers_out += 1,
            MessageOutcome::TransferInCompleted => pass.outcome.transfers_completed += 1,
            MessageOutcome::TransferInFailed => pass.outcome.transfers_failed += 1,
            _ => {}
        }
    }
    pass.outcome.more_due = true;
}
