//! TSIG (RFC 8945): a request's signature checked against the zone key it
//! names, and the answers signed with the same key.
//!
//! hickory-proto reads and writes the TSIG record and lays out the bytes
//! a MAC covers (`signed_bitmessage_to_buf`, `emit_tsig_for_mac`); the MACs are
//! RustCrypto's HMACs, which cover every algorithm of
//! `vpsd_domain::dns::tsig::TsigAlgorithm` (hickory's own cover three) and
//! compare in constant time.
//!
//! The checks of §5.2, in its order: the key (BADKEY), the MAC (BADSIG;
//! a MAC truncated below half the hash or 10 octets is BADTRUNC, §5.2.2.1),
//! the time within the fudge (BADTIME). A request failing one is answered
//! NOTAUTH with the TSIG error; BADKEY and BADSIG answers are unsigned,
//! BADTIME's is signed (§5.3.2).

use hickory_proto::dnssec::rdata::tsig::{
    make_tsig_record, signed_bitmessage_to_buf, TsigAlgorithm as WireAlgorithm, TSIG,
};
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RData, Record};
use hickory_proto::serialize::binary::BinEncoder;
use hmac::{Mac, SimpleHmac};
use vpsd_domain::dns::tsig::TsigAlgorithm;

use crate::update::ZoneKey;

/// The fudge we sign answers with and accept at most, in seconds (RFC 8945
/// §10 recommends 300).
pub const FUDGE: u16 = 300;

/// TSIG's own error codes (RFC 8945 §3, the extended RCODEs in the TSIG
/// record's Error field).
pub mod error {
    /// The MAC does not verify.
    pub const BADSIG: u16 = 16;
    /// The key is not known (or not for this algorithm).
    pub const BADKEY: u16 = 17;
    /// The time signed is outside the fudge.
    pub const BADTIME: u16 = 18;
    /// The MAC is truncated more than allowed.
    pub const BADTRUNC: u16 = 22;
}

/// Seconds since the epoch: TSIG's clock (RFC 8945 §4.2, Time Signed).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The wire name of an algorithm.
fn wire(algorithm: TsigAlgorithm) -> WireAlgorithm {
    match algorithm {
        TsigAlgorithm::HmacSha1 => WireAlgorithm::HmacSha1,
        TsigAlgorithm::HmacSha224 => WireAlgorithm::HmacSha224,
        TsigAlgorithm::HmacSha256 => WireAlgorithm::HmacSha256,
        TsigAlgorithm::HmacSha384 => WireAlgorithm::HmacSha384,
        TsigAlgorithm::HmacSha512 => WireAlgorithm::HmacSha512,
    }
}

/// The HMAC of `data` under `key` with `algorithm`.
fn mac(algorithm: TsigAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<D>(key: &[u8], data: &[u8]) -> Vec<u8>
    where
        D: sha2::digest::Digest + sha2::digest::core_api::BlockSizeUser,
    {
        // An HMAC takes a key of any length (RFC 2104 §2).
        match SimpleHmac::<D>::new_from_slice(key) {
            Ok(mut m) => {
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
    match algorithm {
        TsigAlgorithm::HmacSha1 => run::<sha1::Sha1>(key, data),
        TsigAlgorithm::HmacSha224 => run::<sha2::Sha224>(key, data),
        TsigAlgorithm::HmacSha256 => run::<sha2::Sha256>(key, data),
        TsigAlgorithm::HmacSha384 => run::<sha2::Sha384>(key, data),
        TsigAlgorithm::HmacSha512 => run::<sha2::Sha512>(key, data),
    }
}

/// Whether `given` is the MAC (or its left part, as truncation allows) of
/// `data`, compared in constant time.
fn mac_matches(algorithm: TsigAlgorithm, key: &[u8], data: &[u8], given: &[u8]) -> bool {
    let full = mac(algorithm, key, data);
    if given.is_empty() || given.len() > full.len() {
        return false;
    }
    let ours = &full[..given.len()];
    // Constant time: every octet is looked at whatever the others are.
    ours.iter()
        .zip(given)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// A request's TSIG record, read: the key's name and what it signed.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The key's name, lower case, no final dot.
    pub key_name: String,
    /// The algorithm's name as the request gives it.
    pub algorithm: WireAlgorithm,
    /// The request's MAC (the answer's MAC covers it).
    pub mac: Vec<u8>,
    /// When it was signed (seconds since the epoch).
    pub time: u64,
    /// The request's fudge, in seconds.
    pub fudge: u16,
    /// The TSIG record's original id.
    pub original_id: u16,
    /// The bytes the MAC covers.
    covered: Vec<u8>,
    /// The key's name as on the wire.
    wire_name: Name,
}

/// The TSIG record of `bytes` (the request as received), when it has one
/// (the last record of its additional section, RFC 8945 §5.1). `Err` when
/// a TSIG record is there but cannot be read (FORMERR).
pub fn signature(message: &Message, bytes: &[u8]) -> Result<Option<Signature>, ()> {
    let Some(record) = message.signature().last() else {
        return Ok(None);
    };
    let RData::DNSSEC(DNSSECRData::TSIG(_)) = record.data() else {
        return Ok(None);
    };
    let (covered, record) = signed_bitmessage_to_buf(None, bytes, true).map_err(|_| ())?;
    let RData::DNSSEC(DNSSECRData::TSIG(tsig)) = record.data() else {
        return Err(());
    };
    Ok(Some(Signature {
        key_name: record
            .name()
            .to_lowercase()
            .to_ascii()
            .trim_end_matches('.')
            .to_owned(),
        algorithm: tsig.algorithm().clone(),
        mac: tsig.mac().to_vec(),
        time: tsig.time(),
        fudge: tsig.fudge(),
        original_id: message.id(),
        covered,
        wire_name: record.name().clone(),
    }))
}

/// Why a signature was not accepted: the TSIG error to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such key, or not of the algorithm named (BADKEY).
    BadKey,
    /// The MAC does not verify (BADSIG).
    BadSig,
    /// The MAC is truncated below what §5.2.2.1 allows (BADTRUNC).
    BadTrunc,
    /// Signed outside the fudge of our clock (BADTIME).
    BadTime,
}

/// Checks `signature` against `key` (the key its name found, if any) at
/// `now` (seconds since the epoch), in RFC 8945 §5.2's order.
pub fn check(signature: &Signature, key: Option<&ZoneKey>, now: u64) -> Result<(), Refusal> {
    let Some(key) = key else {
        return Err(Refusal::BadKey);
    };
    if signature.algorithm != wire(key.algorithm) {
        return Err(Refusal::BadKey);
    }
    if !mac_matches(
        key.algorithm,
        &key.secret,
        &signature.covered,
        &signature.mac,
    ) {
        return Err(Refusal::BadSig);
    }
    let full = key.algorithm.output_len();
    if signature.mac.len() < full && signature.mac.len() < (full / 2).max(10) {
        return Err(Refusal::BadTrunc);
    }
    let fudge = u64::from(signature.fudge.min(FUDGE));
    if now.abs_diff(signature.time) > fudge {
        return Err(Refusal::BadTime);
    }
    Ok(())
}

/// The TSIG error code of a refusal.
pub fn error_code(refusal: Refusal) -> u16 {
    match refusal {
        Refusal::BadKey => error::BADKEY,
        Refusal::BadSig => error::BADSIG,
        Refusal::BadTrunc => error::BADTRUNC,
        Refusal::BadTime => error::BADTIME,
    }
}

/// Adds to `response` the unsigned TSIG record of a BADKEY or BADSIG
/// answer (RFC 8945 §5.3.2: the request's key name and algorithm, an
/// empty MAC, the error).
pub fn add_unsigned_error(response: &mut Message, signature: &Signature, error: u16, now: u64) {
    let tsig = TSIG::new(
        signature.algorithm.clone(),
        now,
        FUDGE,
        Vec::new(),
        signature.original_id,
        error,
        Vec::new(),
    );
    response.add_tsig(make_tsig_record(signature.wire_name.clone(), tsig));
}

/// Signs answers to a signed request with its key: the first covers the
/// request's MAC and the whole TSIG variables, each later one (a zone
/// transfer's next messages) the MAC before it and the time (§5.3.1).
pub struct Signer<'a> {
    key: &'a ZoneKey,
    wire_name: Name,
    prior_mac: Vec<u8>,
    original_id: u16,
    first: bool,
}

impl<'a> Signer<'a> {
    /// A signer of the answers to `signature`'s request, with `key`.
    pub fn new(key: &'a ZoneKey, signature: &Signature) -> Self {
        Signer {
            key,
            wire_name: signature.wire_name.clone(),
            prior_mac: signature.mac.clone(),
            original_id: signature.original_id,
            first: true,
        }
    }

    /// Adds the TSIG record to `response` (which must have no other yet),
    /// with TSIG error `error` (0, or BADTIME with our time as Other Data).
    /// `None` only when the message does not serialize.
    pub fn sign(&mut self, response: &mut Message, now: u64, error: u16) -> Option<()> {
        let other = if error == error::BADTIME {
            let mut t = Vec::with_capacity(6);
            t.extend_from_slice(&((now >> 32) as u16).to_be_bytes());
            t.extend_from_slice(&(now as u32).to_be_bytes());
            t
        } else {
            Vec::new()
        };
        let pre = TSIG::new(
            wire(self.key.algorithm),
            now,
            FUDGE,
            Vec::new(),
            self.original_id,
            error,
            other,
        );
        // The prior MAC, the message as it goes out without its TSIG
        // record (its own bytes: compression pointers are offsets into
        // the message, so it is serialized alone), then the TSIG variables
        // (§4.3.3), or only the time and fudge after the first (§5.3.1).
        let len = u16::try_from(self.prior_mac.len()).ok()?;
        let mut covered = Vec::with_capacity(1024);
        covered.extend_from_slice(&len.to_be_bytes());
        covered.extend_from_slice(&self.prior_mac);
        covered.extend_from_slice(&response.to_vec().ok()?);
        if self.first {
            let mut vars = Vec::with_capacity(128);
            let mut encoder = BinEncoder::new(&mut vars);
            pre.emit_tsig_for_mac(&mut encoder, &self.wire_name).ok()?;
            covered.extend_from_slice(&vars);
        } else {
            covered.extend_from_slice(&((now >> 32) as u16).to_be_bytes());
            covered.extend_from_slice(&(now as u32).to_be_bytes());
            covered.extend_from_slice(&FUDGE.to_be_bytes());
        }
        let mac = mac(self.key.algorithm, &self.key.secret, &covered);
        self.prior_mac = mac.clone();
        self.first = false;
        let record: Record = make_tsig_record(self.wire_name.clone(), pre.set_mac(mac));
        response.add_tsig(record);
        Some(())
    }
}
