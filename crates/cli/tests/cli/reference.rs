//! The wording of the API reference the server serves.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_uses_the_right_article() {
    let s = server(Duration::from_secs(1)).await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", s.base))
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    let mut texts = Vec::new();
    fn collect(v: &Value, into: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("summary" | "description", Value::String(s)) => into.push(s.clone()),
                        _ => collect(v, into),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, into)),
            _ => {}
        }
    }
    collect(&doc, &mut texts);
    assert!(texts.iter().any(|t| t.contains("Add an email forward")));
    // Words after "a" that start with a vowel letter but a consonant sound.
    let fine = [
        "URL", "UTF", "UUID", "Unix", "unique", "user", "usual", "use", "one", "once",
    ];
    for text in &texts {
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            let next = pair[1].trim_start_matches(['`', '(', '"']);
            if matches!(pair[0], "a" | "A")
                && next.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
                && !fine.iter().any(|f| next.starts_with(f))
            {
                panic!("\"a {next}\" in: {text}");
            }
        }
    }
}
