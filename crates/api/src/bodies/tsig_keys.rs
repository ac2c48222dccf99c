//! The body of a new TSIG key (`POST .../dns/tsig-keys/`): its name's
//! first label and, optionally, its algorithm.

use serde::Deserialize;
use utoipa::ToSchema;
use vpsd_domain::dns::tsig::{key_name, TsigAlgorithm};

use crate::error::ApiError;
use crate::extract::body::{body_type, Body, Field};

/// A TSIG key to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TsigKeyCreate)]
pub struct TsigKeyBody {
    /// The key's first label: `acme` makes the key `acme.example.com` for
    /// `example.com` (1–63 letters, digits, `-` or `_`).
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "acme")]
    name: Field<String>,
    /// The HMAC (RFC 8945 §6): `hmac-sha256` (default), `hmac-sha384`,
    /// `hmac-sha512`, `hmac-sha224` or `hmac-sha1`.
    #[serde(default)]
    #[schema(value_type = String, example = "hmac-sha256")]
    algorithm: Field<String>,
}

body_type!(TsigKeyBody);

impl TsigKeyBody {
    /// The label and the algorithm (the default when not given).
    pub fn parse(body: Body<Self>) -> Result<(String, TsigAlgorithm), ApiError> {
        let Body {
            fields: b,
            mut errors,
            ..
        } = body;
        let name = errors.require("name", b.name);
        // The label's own rule (the zone is added, and its length checked,
        // by the registrar).
        let name = errors.parse("name", name, |n: String| {
            key_name(&n, "zone").map(|_| n.trim().to_ascii_lowercase())
        });
        let algorithm = errors.take(
            "algorithm",
            b.algorithm
                .or(TsigAlgorithm::HmacSha256.as_str().to_owned()),
        );
        let algorithm = errors.parse("algorithm", algorithm, |a: String| {
            TsigAlgorithm::parse(&a).ok_or_else(|| {
                format!("`{a}` is not offered: use hmac-sha256 (the default), hmac-sha384, hmac-sha512, hmac-sha224 or hmac-sha1.")
            })
        });
        errors.finish(name.zip(algorithm))
    }
}
