//! The redemption grace period (RFC 3915): a deleted name's RGP status
//! in `<rgp:infData>`/`<rgp:upData>`, and the restore request and report
//! carried by `<domain:update>`.

use super::*;

/// `<rgp:infData>` or `<rgp:upData>` with one `<rgp:rgpStatus>` (RFC 3915
/// §4.1, §4.2).
pub(super) fn rgp_status(tag: &str, status: RgpStatus) -> String {
    let mut x = Xml::default();
    x.open(tag, &attr("xmlns:rgp", RGP_NS))
        .empty("rgp:rgpStatus", &attr("s", status.as_str()))
        .close(tag);
    x.into_string()
}

/// `<domain:update>` with `<rgp:update><rgp:restore op="request"/>` (RFC
/// 3915 §4.2: the name goes to `pendingRestore`) or `op="report"` with its
/// `<rgp:report>` (§4.3: the name is registered again). Only the sponsoring
/// registrar (2201), only in `redemptionPeriod` for a request and in
/// `pendingRestore` for a report (2304). The restore of a premium name is
/// requested only with `<fee:update>` (`fee`) covering its restore fee
/// (RFC 8748 §5.2.5, §3.8: 2004 otherwise); the answer then carries
/// `<fee:updData>` with the fee charged. A report carries no fee (2103).
pub(super) async fn restore(
    registry: &SandboxRegistry,
    name: &str,
    rgp: Node<'_, '_>,
    fee: Option<Node<'_, '_>>,
    now: DateTime<Utc>,
) -> Answer {
    let Some(restore) = child(rgp, RGP_NS, "restore").filter(|_| is(rgp, RGP_NS, "update")) else {
        return Answer::fail(2001, "<rgp:update> holds <rgp:restore>");
    };
    match restore.attribute("op") {
        Some("request") => {
            let agreed = match super::fee::agree(registry, name, "restore", 1, fee, now).await {
                Ok(a) => a,
                Err(a) => return a,
            };
            match registry.restore_request(name, now).await {
                Ok(()) => {
                    let mut answer = Answer::code(1000);
                    let mut ext = rgp_status("rgp:upData", RgpStatus::PendingRestore);
                    ext.push_str(&agreed.unwrap_or_default());
                    answer.extension = Some(ext);
                    answer
                }
                Err(e) => registry_failed(e),
            }
        }
        Some("report") if fee.is_some() => Answer::fail(
            2103,
            "<fee:update> goes with the restore request, not its report",
        ),
        Some("report") => {
            let Some(report) = child(restore, RGP_NS, "report") else {
                return Answer::fail(2003, "op=\"report\" needs <rgp:report>");
            };
            for field in ["preData", "postData", "delTime", "resTime", "resReason"] {
                if child(report, RGP_NS, field).is_none() {
                    return Answer::fail(2003, format!("<rgp:report> needs <rgp:{field}>"));
                }
            }
            for field in ["delTime", "resTime"] {
                let text = child_text(report, RGP_NS, field).unwrap_or("");
                if DateTime::parse_from_rfc3339(text).is_err() {
                    return Answer::fail(2005, format!("<rgp:{field}> is not a dateTime"));
                }
            }
            // RFC 3915 §4.3: the two statements are required.
            if elements(report)
                .filter(|n| is(*n, RGP_NS, "statement"))
                .count()
                < 2
            {
                return Answer::fail(2003, "<rgp:report> needs its two <rgp:statement>s");
            }
            match registry.restore_report(name, now).await {
                Ok(()) => Answer::code(1000),
                Err(e) => registry_failed(e),
            }
        }
        Some(other) => Answer::fail(2005, format!("restore op {other} is not request or report")),
        None => Answer::fail(2003, "<rgp:restore> needs op"),
    }
}
