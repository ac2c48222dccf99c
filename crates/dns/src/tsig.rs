//! TSIG (RFC 8945): a request's signature checked against the zone key it
//! names, and the answers signed with the same key.
//!
//! hickory-proto reads and writes the TSIG record and lays out the bytes
//! a MAC covers (`signed_bitmessage_to_buf`, `emit_tsig_for_mac`); the MACs are
//! RustCrypto's HMACs, which cover every algorithm of
//! `vpsd_domain::dns::tsig::TsigAlgorithm` (hickory's own cover three) and
//! compare in constant time.
//!
//! The checks of §5.2, in its order: the key (BADKEY), the MAC's size
//! (longer than the hash, or shorter than half of it and 10 octets:
//! FORMERR, decided on the size alone, §5.2.2.1), the MAC (BADSIG), the
//! time within the fudge (BADTIME). A request failing one of the others is
//! answered NOTAUTH with the TSIG error; BADKEY and BADSIG answers are
//! unsigned, BADTIME's is signed (§5.3.2). Names compare without regard to
//! case; the MAC is checked over the key's name in canonical form, and as
//! the request spells it (dnspython signs it so).

use hickory_proto::dnssec::rdata::tsig::{
    make_tsig_record, signed_bitmessage_to_buf, TsigAlgorithm as WireAlgorithm, TSIG,
};
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::op::{Header, Message, Query};
use hickory_proto::rr::{Name, RData, Record};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncoder};
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
    /// The bytes the MAC covers, with the key's name in canonical (lower
    /// case) form as RFC 8945 §4.3.3 asks.
    covered: Vec<u8>,
    /// The same with the key's name as the request spells it: some
    /// clients (dnspython) sign it so.
    covered_as_sent: Vec<u8>,
    /// The key's name as on the wire.
    wire_name: Name,
}

/// A TSIG record that is there but cannot be read: FORMERR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// The TSIG record of `bytes` (the request as received), when it has one
/// (the last record of its additional section, RFC 8945 §5.1).
///
/// # Errors
/// [`Unreadable`] when a TSIG record is there but cannot be read.
pub fn signature(message: &Message, bytes: &[u8]) -> Result<Option<Signature>, Unreadable> {
    let Some(record) = message.signature().last() else {
        return Ok(None);
    };
    let RData::DNSSEC(DNSSECRData::TSIG(_)) = record.data() else {
        return Ok(None);
    };
    let (covered, record) = signed_bitmessage_to_buf(None, bytes, true).map_err(|_| Unreadable)?;
    let RData::DNSSEC(DNSSECRData::TSIG(tsig)) = record.data() else {
        return Err(Unreadable);
    };
    // Where the TSIG variables start in `covered`: after the header and
    // every record but the TSIG one, as `signed_bitmessage_to_buf` copies
    // them (RFC 8945 §4.3.1).
    let vars_start = {
        let mut decoder = BinDecoder::new(bytes);
        let header = Header::read(&mut decoder).map_err(|_| Unreadable)?;
        for _ in 0..header.query_count() {
            Query::read(&mut decoder).map_err(|_| Unreadable)?;
        }
        let records = usize::from(header.answer_count())
            + usize::from(header.name_server_count())
            + usize::from(header.additional_count()).saturating_sub(1);
        Message::read_records(&mut decoder, records, false).map_err(|_| Unreadable)?;
        bytes.len() - decoder.len()
    };
    // hickory lays the key's and the algorithm's names out as sent; RFC
    // 8945 §4.3.3 has them in canonical form, lower case (the length
    // octets of labels, at most 63, are no letters).
    let mut name_len = Vec::new();
    record
        .name()
        .emit_as_canonical(&mut BinEncoder::new(&mut name_len), true)
        .map_err(|_| Unreadable)?;
    let mut algorithm_name = Vec::new();
    tsig.algorithm()
        .to_name()
        .emit_as_canonical(&mut BinEncoder::new(&mut algorithm_name), true)
        .map_err(|_| Unreadable)?;
    // The key's name, class and TTL, then the algorithm's name.
    let names_end = vars_start + name_len.len() + 6 + algorithm_name.len();
    let mut canonical = covered.clone();
    canonical
        .get_mut(vars_start..names_end)
        .ok_or(Unreadable)?
        .make_ascii_lowercase();
    let covered_as_sent = covered;
    let covered = canonical;
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
        covered_as_sent,
        wire_name: record.name().clone(),
    }))
}

/// Why a signature was not accepted: the TSIG error to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A MAC longer than the hash or shorter than half of it and 10
    /// octets: FORMERR, decided on its length alone, before any
    /// comparison (RFC 8945 §5.2.2.1), so no answer tells how much of a
    /// guessed MAC is right.
    MacSize,
    /// No such key, or not of the algorithm named (BADKEY).
    BadKey,
    /// The MAC does not verify (BADSIG).
    BadSig,
    /// Signed outside the fudge of our clock (BADTIME).
    BadTime,
}

/// How a request's MAC was computed, so its answers are signed alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// Over the key's name in canonical (lower case) form.
    canonical: bool,
}

/// Whether `given` is the algorithm `ours`, its name compared without
/// regard to case (a domain name, RFC 4343).
fn same_algorithm(given: &WireAlgorithm, ours: TsigAlgorithm) -> bool {
    given
        .to_name()
        .to_ascii()
        .trim_end_matches('.')
        .eq_ignore_ascii_case(ours.as_str())
}

/// Checks `signature` against `key` (the key its name found, if any) at
/// `now` (seconds since the epoch), in RFC 8945 §5.2's order.
pub fn check(signature: &Signature, key: Option<&ZoneKey>, now: u64) -> Result<Verified, Refusal> {
    let Some(key) = key else {
        return Err(Refusal::BadKey);
    };
    if !same_algorithm(&signature.algorithm, key.algorithm) {
        return Err(Refusal::BadKey);
    }
    let full = key.algorithm.output_len();
    let size = signature.mac.len();
    if size > full || size < (full / 2).max(10) {
        return Err(Refusal::MacSize);
    }
    let verified = if mac_matches(
        key.algorithm,
        &key.secret,
        &signature.covered,
        &signature.mac,
    ) {
        Verified { canonical: true }
    } else if mac_matches(
        key.algorithm,
        &key.secret,
        &signature.covered_as_sent,
        &signature.mac,
    ) {
        Verified { canonical: false }
    } else {
        return Err(Refusal::BadSig);
    };
    let fudge = u64::from(signature.fudge.min(FUDGE));
    if now.abs_diff(signature.time) > fudge {
        return Err(Refusal::BadTime);
    }
    Ok(verified)
}

/// The TSIG error code of a refusal (none for a MAC of the wrong size,
/// which is answered FORMERR without a TSIG record).
pub fn error_code(refusal: Refusal) -> Option<u16> {
    match refusal {
        Refusal::MacSize => None,
        Refusal::BadKey => Some(error::BADKEY),
        Refusal::BadSig => Some(error::BADSIG),
        Refusal::BadTime => Some(error::BADTIME),
    }
}

/// The answer to a request whose signature was refused, added to
/// `response` (which has the request's id, opcode and question): FORMERR
/// for a MAC of the wrong size; else NOTAUTH with the TSIG error, unsigned
/// but for BADTIME, which is signed and carries our time (§5.3.2). `None`
/// when it cannot be signed.
pub fn refuse(
    response: &mut hickory_proto::op::Message,
    signature: &Signature,
    key: Option<&ZoneKey>,
    refusal: Refusal,
    now: u64,
) -> Option<()> {
    match (refusal, key, error_code(refusal)) {
        (_, _, None) => {
            response.set_response_code(hickory_proto::op::ResponseCode::FormErr);
        }
        (Refusal::BadTime, Some(k), Some(code)) => {
            response.set_response_code(hickory_proto::op::ResponseCode::NotAuth);
            // The MAC verified: sign alike (canonical unless shown not).
            let verified = Verified {
                canonical: mac_matches(k.algorithm, &k.secret, &signature.covered, &signature.mac),
            };
            Signer::new(k, signature, verified).sign(response, now, code)?;
        }
        (_, _, Some(code)) => {
            response.set_response_code(hickory_proto::op::ResponseCode::NotAuth);
            add_unsigned_error(response, signature, code, now);
        }
    }
    Some(())
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
    canonical: bool,
    prior_mac: Vec<u8>,
    original_id: u16,
    first: bool,
}

impl<'a> Signer<'a> {
    /// A signer of the answers to `signature`'s request, with `key`, as
    /// the request was `verified`.
    pub fn new(key: &'a ZoneKey, signature: &Signature, verified: Verified) -> Self {
        Signer {
            key,
            wire_name: signature.wire_name.clone(),
            canonical: verified.canonical,
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
            if self.canonical {
                // The key's name in lower case (same length; the
                // algorithm's name is ours, lower case already).
                let mut name = Vec::new();
                self.wire_name
                    .emit_as_canonical(&mut BinEncoder::new(&mut name), true)
                    .ok()?;
                vars.get_mut(..name.len())?.make_ascii_lowercase();
            }
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
