//! The bodies of email and URL forwards: `POST` (a new forward) and `PUT`
//! (the fields to change over the current one), each parsed into the data
//! the registrar stores.

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::dns;
use vpsd_domain::forwarding::{self, CATCH_ALL};
use vpsd_storage::{EmailForward, EmailForwardData, UrlForward, UrlForwardData};

use crate::error::{ApiError, ErrorCode};
use crate::extract::body::{body_type, Body, Field, FieldErrors};

/// An email forward to add (`POST`): both fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailForwardCreate)]
pub struct EmailBody {
    /// The part before `@` (`info`), or `*` for every other address.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "info")]
    alias: Field<String>,
    /// 1–10 addresses outside the domain.
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 10, example = json!(["owner@example.net"]))]
    destinations: Field<Vec<String>>,
}

/// The fields of an email forward to change (`PUT`): any, at least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailForwardUpdate)]
pub struct EmailUpdateBody {
    /// The part before `@` (`info`), or `*` for every other address.
    #[serde(default)]
    #[schema(value_type = String, example = "info")]
    alias: Field<String>,
    /// 1–10 addresses outside the domain.
    #[serde(default)]
    #[schema(value_type = Vec<String>, min_items = 1, max_items = 10, example = json!(["owner@example.net"]))]
    destinations: Field<Vec<String>>,
}

/// The alias and destinations read, each `None` when absent or at fault,
/// then checked together (a destination may not be the alias itself).
fn email(
    mut errors: FieldErrors,
    zone: &str,
    alias: Option<String>,
    destinations: Option<Vec<String>>,
) -> Result<EmailForwardData, ApiError> {
    // A bad alias still has its destinations checked (against no alias:
    // none can be the forwarded address), so one answer names both.
    let destinations = errors.parse("destinations", destinations, |d| {
        forwarding::destinations(zone, alias.as_deref().unwrap_or(""), &d)
    });
    let data = alias
        .zip(destinations)
        .map(|(alias, destinations)| EmailForwardData {
            alias,
            destinations,
        });
    errors.finish(data)
}

impl EmailBody {
    /// A new forward in `zone`.
    pub fn parse(body: Body<Self>, zone: &str) -> Result<EmailForwardData, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let alias = errors.require("alias", b.alias);
        let alias = errors.parse("alias", alias, |a| forwarding::alias(&a));
        let destinations = errors.require("destinations", b.destinations);
        email(errors, zone, alias, destinations)
    }
}

impl EmailUpdateBody {
    /// `current` with the fields given.
    pub fn parse(
        body: Body<Self>,
        zone: &str,
        current: &EmailForward,
    ) -> Result<EmailForwardData, ApiError> {
        if body.empty {
            return Err(ApiError::bad_request(
                ErrorCode::EmptyUpdate,
                "The body changes nothing: give alias, destinations or both.",
            ));
        }
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        // A field at fault counts as unchanged, so the other is still checked.
        let alias = errors.take("alias", b.alias);
        let alias = errors.parse("alias", alias, |a| forwarding::alias(&a));
        let alias = Some(alias.unwrap_or_else(|| current.alias.clone()));
        let destinations = errors.take("destinations", b.destinations);
        let destinations = Some(destinations.unwrap_or_else(|| current.destinations.clone()));
        email(errors, zone, alias, destinations)
    }
}

/// A URL forward to add (`POST`): `target` required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UrlForwardCreate)]
pub struct UrlBody {
    /// `@` (default) or a name in the zone (`www`).
    #[serde(default)]
    #[schema(value_type = String, example = "www")]
    host: Field<String>,
    /// An `http` or `https` URL.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "https://example.net/landing")]
    target: Field<String>,
    /// 301 (default, permanent) or 302.
    #[serde(default = "permanent")]
    #[schema(value_type = i64, minimum = 301, maximum = 302, default = 301)]
    status_code: Field<i64>,
    /// Append the request's path and query to the target (default false).
    #[serde(default = "no")]
    #[schema(value_type = bool)]
    keep_path: Field<bool>,
}

fn permanent() -> Field<i64> {
    Field::Given(301)
}

fn no() -> Field<bool> {
    Field::Given(false)
}

/// The fields of a URL forward to change (`PUT`): any, at least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UrlForwardUpdate)]
pub struct UrlUpdateBody {
    /// `@` or a name in the zone (`www`).
    #[serde(default)]
    #[schema(value_type = String, example = "www")]
    host: Field<String>,
    /// An `http` or `https` URL.
    #[serde(default)]
    #[schema(value_type = String, example = "https://example.net/landing")]
    target: Field<String>,
    /// 301 (permanent) or 302.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 301, maximum = 302)]
    status_code: Field<i64>,
    /// Append the request's path and query to the target.
    #[serde(default)]
    #[schema(value_type = bool)]
    keep_path: Field<bool>,
}

/// A forwarded host: a name in the zone without wildcard or `_` labels.
fn url_host(zone: &str, raw: &str) -> Result<String, String> {
    let host = dns::relative_name(zone, raw)?;
    if host
        .split('.')
        .any(|l| l == CATCH_ALL || l.starts_with('_'))
    {
        return Err("Give a host name such as @ or www: no wildcard or _ labels.".to_owned());
    }
    Ok(host)
}

/// The four fields of a URL forward read and checked, each `None` when
/// absent or at fault.
fn url_fields(
    errors: &mut FieldErrors,
    zone: &str,
    host: Field<String>,
    target: Field<String>,
    status_code: Field<i64>,
    keep_path: Field<bool>,
) -> (Option<String>, Option<String>, Option<u16>, Option<bool>) {
    let host = errors.take("host", host);
    let host = errors.parse("host", host, |h| url_host(zone, &h));
    let target = errors.take("target", target);
    let target = errors.parse("target", target, |t| forwarding::target_url(&t));
    let status = errors.take("status_code", status_code);
    let status = errors.parse("status_code", status, forwarding::redirect_status);
    let keep_path = errors.take("keep_path", keep_path);
    (host, target, status, keep_path)
}

impl UrlBody {
    /// A new forward in `zone`.
    pub fn parse(body: Body<Self>, zone: &str) -> Result<UrlForwardData, ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let host_given = b.host.is_given();
        if !b.target.is_given() {
            errors.add("target", "This field is required.");
        }
        let (host, target, status, keep_path) = url_fields(
            &mut errors,
            zone,
            b.host,
            b.target,
            b.status_code,
            b.keep_path,
        );
        let host = if host_given {
            host
        } else {
            Some("@".to_owned())
        };
        let data = (|| {
            Some(UrlForwardData {
                host: host?,
                target: target?,
                status_code: i64::from(status?),
                keep_path: keep_path?,
            })
        })();
        errors.finish(data)
    }
}

impl UrlUpdateBody {
    /// `current` with the fields given.
    pub fn parse(
        body: Body<Self>,
        zone: &str,
        current: &UrlForward,
    ) -> Result<UrlForwardData, ApiError> {
        if body.empty {
            return Err(ApiError::bad_request(
                ErrorCode::EmptyUpdate,
                "The body changes nothing: give any of host, target, status_code, keep_path.",
            ));
        }
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let (host, target, status, keep_path) = url_fields(
            &mut errors,
            zone,
            b.host,
            b.target,
            b.status_code,
            b.keep_path,
        );
        let data = UrlForwardData {
            host: host.unwrap_or_else(|| current.host.clone()),
            target: target.unwrap_or_else(|| current.target.clone()),
            status_code: status.map_or(current.status_code, i64::from),
            keep_path: keep_path.unwrap_or(current.keep_path),
        };
        errors.finish(Some(data))
    }
}

body_type!(EmailBody, EmailUpdateBody, UrlBody, UrlUpdateBody);
