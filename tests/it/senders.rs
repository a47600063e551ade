//! The list of senders, walked: whatever a sender declares reaches local.env, the samples in
//! events/, the README, and the whole path to DynamoDB Local, so a sender added to the list
//! cannot be forgotten anywhere.

use serde_json::{json, Value};
use webhook_receiver::signature::{
    self, Acknowledge, Delivery, HeaderRole, Sender, SignatureError, Verifier,
};
use webhook_receiver::signing::{demo_tenants, local_env, sign_event_as};

use crate::support::*;

fn read(path: &str) -> String {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every sample event of events/, by file name.
fn samples() -> Vec<(String, Value)> {
    fixture_names()
        .into_iter()
        .map(|name| {
            let event = fixture(&name);
            (name, event)
        })
        .collect()
}

#[test]
fn local_env_is_made_from_the_senders() {
    let (committed, declared) = (read("local.env"), local_env());
    let first_difference = committed
        .lines()
        .zip(declared.lines())
        .position(|(a, b)| a != b);
    assert!(
        committed == declared,
        "local.env is not what the senders declare (line {first_difference:?}): run `make \
         local-env` and commit it"
    );
}

#[test]
fn every_sender_is_in_the_readme_with_its_headers() {
    let readme = read("README.md");
    for sender in signature::senders() {
        assert!(
            readme.contains(&format!("`{}`", sender.name)),
            "README does not name sender `{}`",
            sender.name
        );
        for (_, header) in sender.headers {
            assert!(
                readme.to_ascii_lowercase().contains(header),
                "README does not name {}'s header {header}",
                sender.name
            );
        }
    }
}

/// Each sender has a sample in events/ (addressed to one of its demo tenants) that `make send`
/// and `make invoke` accept as it is; the `reject-*` samples are refused on purpose.
#[tokio::test]
async fn every_sender_has_a_sample_that_is_accepted() {
    let t = TestApp::new().await;
    let samples = samples();
    for sender in signature::senders() {
        let own: Vec<&(String, Value)> = samples
            .iter()
            .filter(|(name, ev)| {
                if name.starts_with("reject-") {
                    return false;
                }
                let path = ev["rawPath"].as_str().or(ev["path"].as_str()).unwrap_or("");
                demo_tenants().iter().any(|d| {
                    d.sender.name == sender.name && path.ends_with(&format!("/webhooks/{}", d.slug))
                })
            })
            .collect();
        assert!(!own.is_empty(), "no sample in events/ for {}", sender.name);
        let ok = match sender.acknowledge {
            Acknowledge::Json => 200,
            Acknowledge::NoContent => 204,
        };
        for (name, _) in own {
            let reply = t.send(name).await;
            assert_eq!(reply.status, ok, "{name}: {reply:?}");
        }
    }
}

/// Each sender, signing as its provider would, through the whole path into its inbox tenant's
/// table: stored once; the same body again is a duplicate whatever its unsigned headers say; a
/// key of another tenant is refused.
#[tokio::test]
async fn every_sender_stores_an_inbox_event_once() {
    let t = TestApp::new().await;
    for sender in signature::senders() {
        let slug = format!("{}-inbox", sender.name);
        let event = |id: &str| inbox_event(sender, id, NOW_S);
        let ok = match sender.acknowledge {
            Acknowledge::Json => 200,
            Acknowledge::NoContent => 204,
        };
        let (first, outcome) = t.send_logged(event("msg_first_1")).await;
        assert_eq!((first.status, outcome), (ok, "stored"), "{slug}: {first:?}");
        let (again, outcome) = t.send_logged(event("msg_first_1")).await;
        assert_eq!((again.status, outcome), (ok, "duplicate"), "{slug}");
        let verifier = demo_tenant(&slug).verifier();
        let signs_id = demo_tenant(&slug)
            .signer()
            .sign(&Delivery {
                id: "msg_x",
                timestamp: NOW_S,
                body: b"{}",
                ..Delivery::default()
            })
            .iter()
            .any(|(role, _, _)| *role == HeaderRole::Id);
        if signs_id {
            // A fresh delivery id: a new event where the sender signs its id, the same one
            // where it does not.
            let other_event = event("msg_other_2");
            let (other, other_outcome) = t.send_logged(other_event.clone()).await;
            // The body as signed (a sender that signs its time in the body has it written).
            let signed_body = other_event["body"].as_str().unwrap().to_owned();
            let verified = verifier
                .verify_request(&webhook_receiver::signature::Request {
                    form: is_form(&headers_of(&other_event)),
                    headers: &headers_of(&other_event),
                    query: other_event["rawQueryString"]
                        .as_str()
                        .filter(|q| !q.is_empty()),
                    body: signed_body.as_bytes(),
                    now: NOW,
                    tolerance: std::time::Duration::from_secs(300),
                })
                .unwrap();
            let want = if verified.signed_id().is_some() {
                "stored"
            } else {
                "duplicate"
            };
            assert_eq!((other.status, other_outcome), (ok, want), "{slug}");
        }
        let mut forged = event("msg_forged_3");
        let elsewhere = sender.demo_signing_secret("someone-else");
        let url = demo_tenant(&slug).public_url;
        sign_event_as(&mut forged, sender.name, &elsewhere, NOW_S, url.as_deref()).unwrap();
        assert_eq!(t.send_event(forged).await.status, 401, "{slug}");
    }
}

/// An event to `sender`'s demo inbox tenant, signed at `now_s` as `sender` writes it, under
/// delivery id `id` where it sets one. A batch sender's body is its sample's batch (each event
/// with the fields that key it); any other's a small JSON object.
fn inbox_event(sender: &Sender, id: &str, now_s: i64) -> Value {
    let slug = format!("{}-inbox", sender.name);
    let body = if sender.sends_batches() {
        samples()
            .into_iter()
            .find(|(_, ev)| ev["rawPath"] == json!(format!("/webhooks/{slug}")))
            .map(|(_, ev)| ev["body"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{slug} has no sample"))
    } else {
        json!({"type": "thing.happened", "note": sender.name}).to_string()
    };
    let mut ev = fixture("create.json");
    ev["rawPath"] = json!(format!("/webhooks/{slug}"));
    ev["body"] = json!(body);
    ev["headers"] = json!({"content-type": "application/json", "webhook-id": id});
    let demo = demo_tenant(&slug);
    let url = demo.public_url.as_deref();
    sign_event_as(&mut ev, sender.name, &demo.signing_secret, now_s, url).unwrap();
    ev
}

/// The status `sender` is answered with when its request is accepted.
fn accepted_status(sender: &Sender) -> u16 {
    match sender.acknowledge {
        Acknowledge::Json => 200,
        Acknowledge::NoContent => 204,
    }
}

/// Every sender that signs a time has it checked both ways, inclusively at the tolerance; one
/// that signs none is accepted whenever it was signed (its replay horizon is the README's).
#[tokio::test]
async fn every_sender_s_signed_time_is_checked_both_ways() {
    let t = TestApp::new().await;
    for sender in signature::senders() {
        let slug = format!("{}-inbox", sender.name);
        let ev = inbox_event(sender, "msg_time_0", NOW_S);
        let signs_time = demo_tenant(&slug)
            .verifier()
            .verify_request(&webhook_receiver::signature::Request {
                form: false,
                headers: &headers_of(&ev),
                query: ev["rawQueryString"].as_str().filter(|q| !q.is_empty()),
                body: ev["body"].as_str().unwrap().as_bytes(),
                now: NOW,
                tolerance: std::time::Duration::from_secs(300),
            })
            .unwrap()
            .signed_at()
            .is_some();
        let ok = accepted_status(sender);
        if signs_time {
            for (i, at) in [NOW_S - 301, NOW_S + 301].into_iter().enumerate() {
                let reply = t
                    .send_event(inbox_event(sender, &format!("msg_time_{i}"), at))
                    .await;
                assert_eq!(
                    (reply.status, reply.body["error"].as_str()),
                    (401, Some("timestamp_out_of_tolerance")),
                    "{slug} signed at {at}"
                );
            }
            let edge = t
                .send_event(inbox_event(sender, "msg_time_3", NOW_S + 300))
                .await;
            assert_eq!(edge.status, ok, "{slug}: {edge:?}");
        } else {
            let old = t
                .send_event(inbox_event(sender, "msg_time_4", NOW_S - 86_400))
                .await;
            assert_eq!(old.status, ok, "{slug} signs no time: {old:?}");
        }
    }
}

/// Behind a REST API (1.0), every signature, id and timestamp header of every sender, repeated
/// with the same value or another, is `signature_invalid` (a repeated `Content-Type` 415); the
/// same requests unrepeated are accepted through the REST path.
#[tokio::test]
async fn every_sender_s_repeated_headers_behind_a_rest_api_are_refused() {
    let t = TestApp::new().await;
    for sender in signature::senders() {
        let slug = format!("{}-inbox", sender.name);
        let signed_event = inbox_event(sender, "msg_rest_1", NOW_S);
        let names = sender
            .headers
            .iter()
            .filter(|(role, _)| *role != HeaderRole::EventType)
            .map(|(_, name)| *name)
            .filter(|name| signed_event["headers"][*name].is_string());
        for name in names {
            let value = signed_event["headers"][name].as_str().unwrap().to_owned();
            for second in [value.clone(), format!("{value}0")] {
                let mut rest = as_rest(&signed_event);
                repeat(&mut rest, name, &second);
                assert_eq!(
                    t.send_event(rest).await.result(),
                    (401, "signature_invalid"),
                    "{slug}: {name} repeated"
                );
            }
        }
        let mut rest = as_rest(&signed_event);
        repeat(&mut rest, "content-type", "application/json");
        assert_eq!(
            t.send_event(rest).await.result(),
            (415, "unsupported_media_type"),
            "{slug}"
        );
        assert_eq!(t.items_in(&slug).await.len(), 0, "{slug}");
        let reply = t.send_event(as_rest(&signed_event)).await;
        assert_eq!(reply.status, accepted_status(sender), "{slug}: {reply:?}");
    }
}

fn headers_of(event: &Value) -> http::HeaderMap {
    event["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                http::HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// Every vector in tests/vectors/, made by the provider's own library and checked with its
/// verifier (scripts/vectors/make.py, run by `make test`), gets the same verdict here.
#[test]
fn provider_vectors_get_the_providers_verdict() {
    let dir = format!("{}/tests/vectors", env!("CARGO_MANIFEST_DIR"));
    let mut senders_seen = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let vector: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let name = vector["sender"].as_str().unwrap();
        let sender = signature::sender(name).unwrap_or_else(|| panic!("no sender {name}"));
        let public_url = vector["public_url"].as_str();
        let verifier =
            Verifier::for_tenant(sender, vector["secret"].as_str().unwrap(), public_url).unwrap();
        let cases = vector["cases"].as_array().unwrap();
        assert!(
            cases.iter().any(|c| c["verdict"] == "accept")
                && cases.iter().any(|c| c["verdict"] != "accept"),
            "{name}: a vector needs an accepted case and a refused one"
        );
        for c in cases {
            let result = verifier.verify_request(&webhook_receiver::signature::Request {
                form: is_form(&headers_of(c)),
                headers: &headers_of(c),
                query: c["query"].as_str(),
                body: c["body"].as_str().unwrap().as_bytes(),
                now: webhook_receiver::clock::Timestamp::from_unix_seconds(
                    c["now"].as_i64().unwrap(),
                ),
                tolerance: std::time::Duration::from_secs(300),
            });
            let verdict = match result {
                Ok(_) => "accept",
                Err(SignatureError::Missing) => "signature_missing",
                Err(SignatureError::Invalid) => "signature_invalid",
                Err(SignatureError::TimestampOutOfTolerance) => "timestamp_out_of_tolerance",
            };
            assert_eq!(verdict, c["verdict"], "{name}: {}", c["name"]);
        }
        senders_seen.push(name.to_owned());
    }
    // Every sender in the list, each proven by its provider's own library.
    senders_seen.sort();
    senders_seen.dedup();
    let mut all: Vec<String> = signature::senders()
        .iter()
        .map(|s| s.name.to_owned())
        .collect();
    all.sort();
    assert_eq!(
        senders_seen, all,
        "tests/vectors/ must hold one file per sender"
    );
}

/// Whether a request with `headers` carries a form, as the adapter reads its `Content-Type`.
fn is_form(headers: &http::HeaderMap) -> bool {
    webhook_receiver::lambda::media_type(headers) == Some(webhook_receiver::lambda::Media::Form)
}
