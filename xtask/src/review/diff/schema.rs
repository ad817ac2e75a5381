//! The schema half of a spec comparison: a schema's type, enum values, limits and properties,
//! each change classified by the direction the data travels.

use super::values::*;
use super::{Class, Diff, Direction, DEPTH};
use crate::specs::resolve;
use serde_yaml::Value;
use std::collections::BTreeSet;

impl Diff<'_> {
    pub(super) fn schema(
        &mut self,
        b: &Value,
        a: &Value,
        direction: Direction,
        at: &str,
        depth: usize,
    ) {
        if depth > DEPTH || (b.is_null() && a.is_null()) {
            return;
        }
        let (b, a) = (resolve(self.before, b), resolve(self.after, a));
        let breaking_if = |request: bool| {
            if request == (direction == Direction::Request) {
                Class::Breaking
            } else {
                Class::Compatible
            }
        };
        if kind(b) != kind(a) {
            self.push(
                Class::Breaking,
                format!("{at}: type {} → {}", kind(b), kind(a)),
            );
            return;
        }
        if b["format"] != a["format"] {
            self.push(
                Class::Breaking,
                format!(
                    "{at}: format {} → {}",
                    text(&b["format"]),
                    text(&a["format"])
                ),
            );
        }
        let (nb, na) = (nullable(b), nullable(a));
        if nb && !na {
            // A request value can no longer be null; a response value never is now.
            self.push(breaking_if(true), format!("{at}: no longer nullable"));
        } else if !nb && na {
            self.push(breaking_if(false), format!("{at}: now nullable"));
        }
        self.enums(b, a, direction, at);
        if b["pattern"] != a["pattern"] {
            self.push(Class::NeedsReview, format!("{at}: pattern changed"));
        }
        self.limits(b, a, direction, at);
        self.properties(b, a, direction, at, depth);
        if b["items"].is_mapping() || a["items"].is_mapping() {
            let items = if at.contains(':') {
                format!("{at}[]")
            } else {
                format!("{at}: []")
            };
            self.schema(&b["items"], &a["items"], direction, &items, depth + 1);
        }
        // An open enum's members were compared as one enum above.
        let open = is_open_enum(self.before, b) && is_open_enum(self.after, a);
        for key in ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter(|k| !open || *k != "anyOf")
        {
            let (mb, ma) = (members(&b[key]), members(&a[key]));
            if mb.len() != ma.len() {
                self.push(
                    Class::NeedsReview,
                    format!("{at}: {key} has {} members, was {}", ma.len(), mb.len()),
                );
            }
            for (i, (x, y)) in mb.iter().zip(&ma).enumerate() {
                self.schema(x, y, direction, &format!("{at}<{key} {i}>"), depth + 1);
            }
        }
    }

    fn enums(&mut self, b: &Value, a: &Value, direction: Direction, at: &str) {
        let (Some(eb), Some(ea)) = (enum_values(self.before, b), enum_values(self.after, a)) else {
            return;
        };
        let open = is_open_enum(self.before, b) && is_open_enum(self.after, a);
        for v in eb.difference(&ea) {
            let class = if open {
                Class::NeedsReview
            } else {
                Class::Breaking
            };
            self.push(class, format!("{at}: enum value {v} removed"));
        }
        for v in ea.difference(&eb) {
            let class = match (open, direction) {
                (true, _) => Class::NeedsReview,
                (false, Direction::Request) => Class::Compatible,
                // An old client cannot decode a value its closed enum does not know.
                (false, Direction::Response) => Class::Breaking,
            };
            self.push(class, format!("{at}: enum value {v} added"));
        }
    }

    fn limits(&mut self, b: &Value, a: &Value, direction: Direction, at: &str) {
        for (key, upper) in [
            ("maximum", true),
            ("maxLength", true),
            ("maxItems", true),
            ("minimum", false),
            ("minLength", false),
            ("minItems", false),
        ] {
            let (x, y) = (b[key].as_f64(), a[key].as_f64());
            if x == y {
                continue;
            }
            let narrowed = match (x, y) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => (y < x) == upper,
                (None, None) => continue,
            };
            let class = match (narrowed, direction) {
                (true, Direction::Request) => Class::Breaking,
                (false, Direction::Request) | (true, Direction::Response) => Class::Compatible,
                (false, Direction::Response) => Class::NeedsReview,
            };
            self.push(class, format!("{at}: {key} {} → {}", number(x), number(y)));
        }
    }

    fn properties(&mut self, b: &Value, a: &Value, direction: Direction, at: &str, depth: usize) {
        let names = |v: &Value| -> BTreeSet<String> {
            v["properties"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(|(k, _)| text(k))
                .collect()
        };
        let (before, after) = (names(b), names(a));
        let (rb, ra) = (required_names(b), required_names(a));
        let field = |name: &str| child(at, name);
        for name in before.difference(&after) {
            self.push(Class::Breaking, format!("{} removed", field(name)));
        }
        for name in after.difference(&before) {
            let class = if direction == Direction::Request && ra.contains(name) {
                Class::Breaking
            } else {
                Class::Compatible
            };
            let how = if ra.contains(name) {
                "required"
            } else {
                "optional"
            };
            self.push(class, format!("{} added, {how}", field(name)));
        }
        for name in before.intersection(&after) {
            let (was, is) = (rb.contains(name), ra.contains(name));
            if !was && is {
                let class = match direction {
                    Direction::Request => Class::Breaking,
                    Direction::Response => Class::Compatible,
                };
                self.push(class, format!("{} made required", field(name)));
            } else if was && !is {
                let class = match direction {
                    Direction::Request => Class::Compatible,
                    Direction::Response => Class::Breaking,
                };
                self.push(class, format!("{} made optional", field(name)));
            }
            let (pb, pa) = (
                &b["properties"][name.as_str()],
                &a["properties"][name.as_str()],
            );
            self.schema(pb, pa, direction, &child(at, name), depth + 1);
        }
        let closed = |v: &Value| v["additionalProperties"] == Value::Bool(false);
        if !closed(b) && closed(a) {
            let class = match direction {
                Direction::Request => Class::Breaking,
                Direction::Response => Class::NeedsReview,
            };
            self.push(class, format!("{at}: no longer accepts other fields"));
        }
    }
}
