use super::*;

fn spec(yaml: &str) -> Spec {
    Spec {
        file_name: "t.yaml".into(),
        raw: serde_yaml::from_str(yaml).unwrap(),
        openapi: serde_yaml::from_str("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}")
            .unwrap(),
    }
}

fn problems(yaml: &str) -> Vec<String> {
    lint(&spec(yaml))
}

#[test]
fn finds_naming_and_description_problems() {
    let found = problems(
        r#"
paths:
  /a:
    get:
      operationId: getA
      parameters: [{name: p, in: query}]
      responses:
        '200':
          content:
            application/json:
              schema: {type: object, additionalProperties: {}, required: [x], properties: {x: {type: string}}}
    post: {operationId: same, description: d}
  /b:
    put: {operationId: same, description: d}
components:
  schemas:
    S:
      type: object
      properties:
        beside: {description: lost, $ref: '#/components/schemas/T'}
        wrapped: {description: kept, allOf: [{$ref: '#/components/schemas/T'}]}
        nested: {description: n, type: object, properties: {deep: {type: integer}}}
"#,
    );
    let text = found.join("\n");
    assert!(
        text.contains("GET /a: operationId `getA` is not snake_case"),
        "{text}"
    );
    assert!(text.contains("GET /a: no description"), "{text}");
    assert!(text.contains("parameter `p`: no description"), "{text}");
    assert!(
        text.contains("GET /a.x: property has no description"),
        "{text}"
    );
    assert!(
        text.contains("operationId `same` is used by POST /a, PUT /b"),
        "{text}"
    );
    assert!(
        text.contains("components.schemas.S.deep: property has no description"),
        "{text}"
    );
    assert!(
        text.contains("components.schemas.S: `description` beside `$ref` is ignored"),
        "{text}"
    );
    assert!(
        !text.contains("wrapped"),
        "allOf keeps the description: {text}"
    );
    assert_eq!(found.len(), 7, "{text}");
}

const TOLERANCE: &str = r#"
paths:
  /rows:
    get:
      operationId: list_rows
      description: d
      responses:
        '200':
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Row'}}
    post:
      operationId: create_row
      description: d
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewRow'}
      responses:
        '200': {description: ok}
      callbacks:
        event:
          '{$request.body#/url}':
            post:
              operationId: receive_event
              description: d
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Event'}
              responses:
                '200': {description: ok}
components:
  schemas:
    Row:
      type: object
      description: r
      required: [id]
      additionalProperties: {}
      properties:
        id: {type: string, description: required, so null is not needed}
        note: {type: string, description: optional and not nullable}
        label: {type: string, nullable: true, description: fine}
        free: {description: any value, null included}
        agent:
          description: nullable reference
          oneOf:
            - $ref: '#/components/schemas/Agent'
            - {type: object, nullable: true, enum: [null]}
        plain_ref: {description: not nullable, allOf: [{$ref: '#/components/schemas/Agent'}]}
    Agent:
      type: object
      description: closed, and reachable only through Row
      properties:
        name: {type: string, nullable: true, description: n}
    NewRow:
      type: object
      description: request only, so neither rule applies
      properties:
        note: {type: string, description: n}
    Event:
      type: object
      description: posted by the vendor
      additionalProperties: {}
      properties:
        kind: {type: string, description: k}
"#;

#[test]
fn vendor_sent_objects_keep_unknown_fields_and_accept_null() {
    let found = problems(TOLERANCE);
    let text = found.join("\n");
    assert!(
        text.contains(
            "components.schemas.Row.note: an optional vendor-sent property must accept null"
        ),
        "{text}"
    );
    assert!(
        text.contains("components.schemas.Row.plain_ref: an optional vendor-sent property"),
        "{text}"
    );
    assert!(
        text.contains("components.schemas.Agent: a vendor-sent object must keep unknown fields"),
        "{text}"
    );
    assert!(
        text.contains("components.schemas.Event.kind: an optional vendor-sent property"),
        "callbacks count: {text}"
    );
    for fine in ["Row.id", "Row.label", "Row.free", "Row.agent", "NewRow"] {
        assert!(!text.contains(fine), "{fine} is fine: {text}");
    }
    assert_eq!(found.len(), 4, "{text}");
}

#[test]
fn overlapping_one_of_branches_are_found() {
    let found = problems(
        r#"
components:
  schemas:
    KnownChannel: {type: string, description: k, enum: [A, B]}
    OverlappingOpenEnum:
      description: a known value matches both branches
      oneOf: [{$ref: '#/components/schemas/KnownChannel'}, {type: string}]
    OpenEnum:
      description: the valid form
      anyOf: [{$ref: '#/components/schemas/KnownChannel'}, {type: string}]
    StringOrList:
      description: different types never overlap
      oneOf: [{type: string}, {type: array, items: {type: string}}]
    Numbers:
      description: every integer is a number
      oneOf: [{type: integer}, {type: number}]
    NullableRef:
      description: the null-only branch is disjoint from an object
      oneOf: [{$ref: '#/components/schemas/Obj'}, {type: object, nullable: true, enum: [null]}]
    Tagged:
      description: a required single-valued property tells objects apart
      oneOf:
        - {type: object, required: [type], properties: {type: {type: string, enum: [a], description: t}}}
        - {type: object, required: [type], properties: {type: {type: string, enum: [b], description: t}}}
    Untagged:
      description: two objects with nothing to tell them apart
      oneOf:
        - {type: object, properties: {a: {type: string, description: a}}}
        - {type: object, properties: {b: {type: string, description: b}}}
    DisjointEnums:
      description: fine
      oneOf: [{type: string, enum: [x]}, {type: string, enum: [y]}]
    Obj: {type: object, description: o}
"#,
    );
    let overlaps: Vec<&String> = found.iter().filter(|p| p.contains("overlap")).collect();
    let text = found.join("\n");
    for bad in ["OverlappingOpenEnum", "Numbers", "Untagged"] {
        assert!(
            overlaps
                .iter()
                .any(|p| p.contains(&format!("components.schemas.{bad}:"))),
            "{bad}: {text}"
        );
    }
    assert_eq!(overlaps.len(), 3, "{text}");
}
