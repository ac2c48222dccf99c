//! Verisign's namestore extension (namestoreExt-1.1), as Verisign's
//! .com/.net registry uses it: every domain and host command carries
//! `<namestoreExt:namestoreExt><namestoreExt:subProduct>` naming the
//! registry it is for, `dot` and the upper-case TLD (`dotCOM`). A command
//! without it is refused with 2003 (required parameter missing) when the
//! server requires it (`--require-namestore`); one naming another
//! sub-product with 2306 (parameter value policy error) and
//! `<namestoreExt:nsExtErrData>` code 1, "Specified sub-product does not
//! exist".

use vpsd_domain::Tld;

use super::*;

/// The sub-product of `tld` (`com` → `dotCOM`).
pub(crate) fn sub_product(tld: &str) -> String {
    format!("dot{}", tld.to_ascii_uppercase())
}

/// `None` when `object`'s command may go on; else the refusal. A domain
/// command's names must all be of the sub-product's TLD; a host command's
/// sub-product must be one this registry sells (its host objects are
/// shared between its TLDs).
pub(super) fn check(
    object: Node<'_, '_>,
    ext: Option<Node<'_, '_>>,
    required: bool,
) -> Option<Answer> {
    let (names, domain) = match object.tag_name().namespace() {
        Some(DOMAIN_NS) => (names(object, DOMAIN_NS), true),
        Some(HOST_NS) => (names(object, HOST_NS), false),
        _ => return None,
    };
    let Some(ext) = ext else {
        return required.then(|| {
            Answer::fail(
                2003,
                "this registry needs <namestoreExt:namestoreExt> with the <namestoreExt:subProduct> of the name's TLD (dotCOM, dotNET, ...)",
            )
        });
    };
    let given = child_text(ext, NAMESTORE_NS, "subProduct")
        .filter(|_| is(ext, NAMESTORE_NS, "namestoreExt"));
    let Some(given) = given else {
        return Some(Answer::fail(
            2003,
            "<namestoreExt:namestoreExt> needs <namestoreExt:subProduct>",
        ));
    };
    let tld_of = |name: &str| {
        name.trim_end_matches('.')
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let fits = if domain {
        !names.is_empty()
            && names
                .iter()
                .all(|n| sub_product(&tld_of(n)).eq_ignore_ascii_case(given))
    } else {
        given
            .get(3..)
            .filter(|_| {
                given
                    .get(..3)
                    .is_some_and(|p| p.eq_ignore_ascii_case("dot"))
            })
            .and_then(|tld| Tld::from_label(&tld.to_ascii_lowercase()))
            .is_some()
    };
    if fits {
        return None;
    }
    let mut answer = Answer::fail(
        2306,
        format!("sub-product {given} does not exist for this command's names"),
    );
    let mut x = Xml::default();
    x.open(
        "namestoreExt:nsExtErrData",
        &attr("xmlns:namestoreExt", NAMESTORE_NS),
    )
    .text(
        "namestoreExt:msg",
        &attr("code", "1"),
        "Specified sub-product does not exist",
    )
    .close("namestoreExt:nsExtErrData");
    answer.extension = Some(x.into_string());
    Some(answer)
}

/// The `<name>` children (in `ns`) of a domain or host command.
fn names<'a>(object: Node<'a, '_>, ns: &str) -> Vec<&'a str> {
    elements(object)
        .filter(|n| is(*n, ns, "name"))
        .map(|n| n.text().unwrap_or("").trim())
        .collect()
}
