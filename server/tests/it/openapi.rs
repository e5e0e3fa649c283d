//! The OpenAPI description at `/api/openapi.json` is true: it lists the API's operations, and
//! what they answer has exactly the shape it describes (checked here against real answers, on
//! both databases; `./test` also runs schemathesis against a running server).
use crate::helpers::{Backend, spawn_app};
use serde_json::{Value, json};

on_both_databases!(the_description_lists_every_operation_and_the_answers_match_it);

/// The schema of the JSON answer `method path` gives with `status`.
fn answer_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not described");
    let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} has no JSON answer for {status}: {}", op["responses"]);
    schema.clone()
}

/// Checks `value` against `schema` as far as the description uses JSON Schema: references,
/// types (with `null`), required and known properties, items, enums and the composition
/// keywords. A property the description does not name is a mismatch: the description must
/// say everything the answer holds.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").ok_or_else(|| format!("{at}: reference {r}"))?;
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: {r} is not in the components"));
        }
        return check(doc, target, value, at);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check(doc, s, value, at)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().filter(|s| check(doc, s, value, at).is_ok()).count();
            let ok = if key == "oneOf" { fits == 1 } else { fits >= 1 };
            if !ok {
                return Err(format!("{at}: {fits} of the {key} options fit {value}"));
            }
        }
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Ok(()),
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.iter().any(|t| *t == actual || (*t == "number" && actual == "integer")) {
        return Err(format!("{at}: {actual} where the description says {types:?}"));
    }
    if let Some(min) = schema["minimum"].as_f64()
        && value.as_f64().is_some_and(|v| v < min)
    {
        return Err(format!("{at}: {value} is below the minimum {min}"));
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(doc, &schema["items"], item, &format!("{at}/{i}"))?;
            }
        }
        Value::Object(fields) if schema["properties"].is_object() || schema["required"].is_array() => {
            let properties = schema["properties"].as_object().cloned().unwrap_or_default();
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    return Err(format!("{at}: the required {name} is missing"));
                }
            }
            for (name, v) in fields {
                let s = properties.get(name).ok_or_else(|| format!("{at}: {name} is not described"))?;
                check(doc, s, v, &format!("{at}/{name}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Asserts that `value`, answered by `method path` with `status`, is what the description says.
pub fn assert_described(method: &str, path: &str, status: u16, value: &Value) {
    let doc: Value = serde_json::from_str(signpost::http::openapi::document().unwrap()).unwrap();
    let schema = answer_schema(&doc, method, path, status);
    if let Err(e) = check(&doc, &schema, value, "") {
        panic!("{method} {path} ({status}) does not match its description: {e}\n{value:#}");
    }
}

async fn the_description_lists_every_operation_and_the_answers_match_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let mut operations: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| format!("{m} {path}")))
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "get /api/v1/brands",
            "get /api/v1/brands/{id}",
            "get /api/v1/endpoints/{id}",
            "get /api/v1/turnaround",
            "get /api/v1/turnaround/{brand}",
            "post /api/v1/validate",
        ]
    );

    app.import_fixture("brands/smart-spec-example2.json").await;
    app.import_fixture("brands/smart-spec-example1.json").await;
    let get = |path: String| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // Search: a word, an address, a typo, relaxed words, facets; each answer as described.
    for q in [
        "q=ExampleHealth",
        "q=https://fhir.example.com",
        "q=examplehelth",
        "q=ExampleHealth+zzzqqq",
        "category=ins&per_page=3",
    ] {
        let (status, v) = get(format!("/api/v1/brands?{q}")).await;
        assert_eq!(status, 200, "{q}");
        assert_described("get", "/api/v1/brands", 200, &v);
    }
    let (_, found) = get("/api/v1/brands?q=ExampleHealth".into()).await;
    let id = found["results"][0]["id"].as_i64().unwrap();
    let (status, brand) = get(format!("/api/v1/brands/{id}")).await;
    assert_eq!(status, 200);
    assert_described("get", "/api/v1/brands/{id}", 200, &brand);
    // Errors: the statuses the description names, in its error shape.
    for (path, status) in [
        ("/api/v1/brands?page=0".to_string(), 400),
        ("/api/v1/brands?q=".to_string() + &"x".repeat(201), 400),
        ("/api/v1/brands/999999".to_string(), 404),
        ("/api/v1/brands/x".to_string(), 400),
        ("/api/v1/brands/99999999999".to_string(), 400),
        ("/api/v1/endpoints/999999".to_string(), 404),
        ("/api/v1/endpoints/x".to_string(), 400),
        ("/api/v1/turnaround/999999".to_string(), 404),
        ("/api/v1/turnaround/x".to_string(), 400),
        ("/api/v1/turnaround?sort=a&sort=b".to_string(), 400),
    ] {
        let (got, v) = get(path.clone()).await;
        assert_eq!(got, status, "{path}: {v}");
        let template = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|t| {
                let (tp, pp) =
                    (t.split('/').collect::<Vec<_>>(), path.split('?').next().unwrap().split('/').collect::<Vec<_>>());
                tp.len() == pp.len() && tp.iter().zip(&pp).all(|(a, b)| a.starts_with('{') || a == b)
            })
            .next()
            .unwrap()
            .clone();
        assert_described("get", &template, status, &v);
    }
    let (status, overview) = get("/api/v1/turnaround?window=all".into()).await;
    assert_eq!(status, 200);
    assert_described("get", "/api/v1/turnaround", 200, &overview);
    // Validate: a good bundle, a bad one, and text that is not a bundle at all.
    let good = crate::helpers::fixture("brands/smart-spec-example2.json");
    for body in [good, b"{\"resourceType\": \"Bundle\", \"entry\": [{}]}".to_vec(), b"not json".to_vec()] {
        let r = app.client.post(app.url("/api/v1/validate")).body(body).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_described("post", "/api/v1/validate", 200, &r.json::<Value>().await.unwrap());
    }
    for bad in [vec![0xff, 0xfe], vec![]] {
        let r = app.client.post(app.url("/api/v1/validate")).body(bad).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_described("post", "/api/v1/validate", 400, &r.json::<Value>().await.unwrap());
    }

    // The checker itself notices an answer that is not as described.
    let doc: Value = serde_json::from_str(signpost::http::openapi::document().unwrap()).unwrap();
    let schema = answer_schema(&doc, "get", "/api/v1/brands/{id}", 404);
    assert!(check(&doc, &schema, &json!({"error": "x"}), "").is_ok());
    assert!(check(&doc, &schema, &json!({"error": 3}), "").is_err());
    assert!(check(&doc, &schema, &json!({}), "").is_err());
    assert!(check(&doc, &schema, &json!({"error": "x", "extra": 1}), "").is_err());
    let mut changed = brand.clone();
    changed["portals"] = json!([{"name": 1}]);
    assert!(check(&doc, &answer_schema(&doc, "get", "/api/v1/brands/{id}", 200), &changed, "").is_err());
}
