//! One Arrow column being gathered from rows' JSON text, nested as the [`Shape`] says.

use super::super::arrow_schema::{Shape, UTC};
use super::super::json_text::{self, Kind};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::Date32Type;
use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_cast::parse::Parser;
use arrow_schema::{DataType, Field, FieldRef, Fields};
use std::sync::Arc;

/// One named field of an object column.
pub(super) struct Member {
    pub(super) name: String,
    pub(super) required: bool,
    pub(super) column: Column,
}

/// The values of one column, as they are gathered.
pub(super) enum Column {
    /// Strings (`Text`) or any value's JSON text (`Json`).
    Text(StringBuilder, bool),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Integer(Int64Builder),
    Number(Float64Builder),
    Boolean(BooleanBuilder),
    List {
        field: FieldRef,
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
        item: Box<Column>,
    },
    Object {
        arrow: Fields,
        fields: Vec<Member>,
        extra: StringBuilder,
        nulls: NullBufferBuilder,
        /// Which fields the object being read has set (reused from row to row).
        seen: Vec<bool>,
    },
}

impl Column {
    pub(super) fn of(shape: &Shape) -> Self {
        match shape {
            Shape::Text => Column::Text(StringBuilder::new(), false),
            Shape::Json => Column::Text(StringBuilder::new(), true),
            Shape::Timestamp => {
                Column::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(UTC))
            }
            Shape::Date => Column::Date(Date32Builder::new()),
            Shape::Integer => Column::Integer(Int64Builder::new()),
            Shape::Number => Column::Number(Float64Builder::new()),
            Shape::Boolean => Column::Boolean(BooleanBuilder::new()),
            Shape::List(item) => Column::List {
                field: Arc::new(Field::new("item", item.data_type(), true)),
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
                item: Box::new(Column::of(item)),
            },
            Shape::Object(fields) => {
                let DataType::Struct(arrow) = shape.data_type() else {
                    unreachable!("an object's Arrow type is a struct")
                };
                Column::Object {
                    arrow,
                    fields: fields
                        .iter()
                        .map(|(name, shape, required)| Member {
                            name: name.clone(),
                            required: *required,
                            column: Column::of(shape),
                        })
                        .collect(),
                    extra: StringBuilder::new(),
                    nulls: NullBufferBuilder::new(0),
                    seen: vec![false; fields.len()],
                }
            }
        }
    }

    /// Appends the value whose JSON text is `text`, found at `path` (for errors).
    pub(super) fn push(&mut self, text: &str, path: &str) -> Result<(), String> {
        let kind = json_text::kind(text);
        if kind == Kind::Null {
            self.push_null();
            return Ok(());
        }
        let type_name = self.type_name();
        let misfit = || {
            format!(
                "`{path}`: {} does not fit the spec's type ({type_name})",
                preview(text)
            )
        };
        let bad_json = |e: serde_json::Error| format!("`{path}`: {e}");
        match self {
            Column::Text(b, false) if kind == Kind::String => {
                b.append_value(json_text::unquoted(text).map_err(bad_json)?)
            }
            Column::Text(b, _) => b.append_value(text.trim()),
            Column::Timestamp(b) => {
                let at = match kind {
                    Kind::String => json_text::unquoted(text)
                        .ok()
                        .and_then(|s| cxkit::sync::parse_time(&s)),
                    _ => None,
                };
                b.append_value(at.ok_or_else(misfit)?.timestamp_micros())
            }
            Column::Date(b) => {
                let days = match kind {
                    Kind::String => json_text::unquoted(text)
                        .ok()
                        .and_then(|s| Date32Type::parse(&s)),
                    Kind::Number => text.trim().parse().ok(),
                    _ => None,
                };
                match days {
                    Some(days) => b.append_value(days),
                    None => return Err(misfit()),
                }
            }
            Column::Integer(b) => match text.trim().parse::<i64>() {
                Ok(n) if kind == Kind::Number => b.append_value(n),
                _ => return Err(misfit()),
            },
            Column::Number(b) => match text.trim().parse::<f64>() {
                Ok(x) if kind == Kind::Number => b.append_value(x),
                _ => return Err(misfit()),
            },
            Column::Boolean(b) => match text.trim() {
                "true" => b.append_value(true),
                "false" => b.append_value(false),
                _ => return Err(misfit()),
            },
            Column::List {
                offsets,
                nulls,
                item,
                ..
            } if kind == Kind::Array => {
                let mut at: usize = 0;
                json_text::for_each_item(text, |value| {
                    let pushed = item.push(value.get(), &format!("{path}[{at}]"));
                    at += 1;
                    pushed
                })
                .map_err(|e| match e {
                    json_text::Walk::Json(e) => bad_json(e),
                    json_text::Walk::Stopped(e) => e,
                })?;
                let end = offsets.last().copied().unwrap_or(0);
                let end = i32::try_from(at)
                    .ok()
                    .and_then(|n| end.checked_add(n))
                    .ok_or_else(|| format!("`{path}`: too many items for one batch"))?;
                offsets.push(end);
                nulls.append_non_null();
            }
            Column::Object { .. } if kind == Kind::Object => self.push_object(text, path)?,
            Column::List { .. } | Column::Object { .. } => return Err(misfit()),
        }
        Ok(())
    }

    /// Appends an object: each named member to its field, every other member to `_extra`.
    fn push_object(&mut self, text: &str, path: &str) -> Result<(), String> {
        let Column::Object {
            fields,
            extra,
            nulls,
            seen,
            ..
        } = self
        else {
            unreachable!("called on object columns")
        };
        seen.fill(false);
        let mut others = String::new();
        // Members usually come in the spec's order: look there first.
        let mut next = 0;
        json_text::for_each_member(text, |key, value| {
            let found = match fields.get(next) {
                Some(f) if f.name == key => Some(next),
                _ => fields.iter().position(|f| f.name == key),
            };
            let Some(at) = found else {
                others.push(if others.is_empty() { '{' } else { ',' });
                push_quoted(&mut others, &key);
                others.push(':');
                others.push_str(value.get().trim());
                return Ok(());
            };
            next = at + 1;
            if std::mem::replace(&mut seen[at], true) {
                return Err(format!("`{}`: sent twice", join(path, &key)));
            }
            fields[at].column.push(value.get(), &join(path, &key))?;
            if fields[at].required && json_text::kind(value.get()) == Kind::Null {
                return Err(format!(
                    "`{}`: null, but the spec requires it",
                    join(path, &key)
                ));
            }
            Ok(())
        })
        .map_err(|e| match e {
            json_text::Walk::Json(e) => format!("`{path}`: {e}"),
            json_text::Walk::Stopped(e) => e,
        })?;
        for (field, seen) in fields.iter_mut().zip(seen.iter()) {
            if !seen {
                if field.required {
                    return Err(format!(
                        "`{}`: absent, but the spec requires it",
                        join(path, &field.name)
                    ));
                }
                field.column.push_null();
            }
        }
        if others.is_empty() {
            extra.append_null();
        } else {
            others.push('}');
            extra.append_value(others);
        }
        nulls.append_non_null();
        Ok(())
    }

    fn push_null(&mut self) {
        match self {
            Column::Text(b, _) => b.append_null(),
            Column::Timestamp(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
            Column::Integer(b) => b.append_null(),
            Column::Number(b) => b.append_null(),
            Column::Boolean(b) => b.append_null(),
            Column::List { offsets, nulls, .. } => {
                offsets.push(offsets.last().copied().unwrap_or(0));
                nulls.append_null();
            }
            Column::Object {
                fields,
                extra,
                nulls,
                ..
            } => {
                fields.iter_mut().for_each(|f| f.column.push_null());
                extra.append_null();
                nulls.append_null();
            }
        }
    }

    /// The values gathered, as one array; the column starts empty again.
    pub(super) fn finish(&mut self) -> Result<ArrayRef, String> {
        let fail = |e: arrow_schema::ArrowError| e.to_string();
        Ok(match self {
            Column::Text(b, _) => Arc::new(b.finish()),
            Column::Timestamp(b) => Arc::new(b.finish()),
            Column::Date(b) => Arc::new(b.finish()),
            Column::Integer(b) => Arc::new(b.finish()),
            Column::Number(b) => Arc::new(b.finish()),
            Column::Boolean(b) => Arc::new(b.finish()),
            Column::List {
                field,
                offsets,
                nulls,
                item,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
                let values = item.finish()?;
                Arc::new(
                    ListArray::try_new(field.clone(), offsets, values, nulls.finish())
                        .map_err(fail)?,
                )
            }
            Column::Object {
                arrow,
                fields,
                extra,
                nulls,
                ..
            } => {
                let mut arrays = fields
                    .iter_mut()
                    .map(|f| f.column.finish())
                    .collect::<Result<Vec<_>, _>>()?;
                arrays.push(Arc::new(extra.finish()));
                Arc::new(StructArray::try_new(arrow.clone(), arrays, nulls.finish()).map_err(fail)?)
            }
        })
    }

    fn type_name(&self) -> &'static str {
        match self {
            Column::Text(_, false) => "text",
            Column::Text(_, true) => "any JSON",
            Column::Timestamp(_) => "date-time",
            Column::Date(_) => "date",
            Column::Integer(_) => "integer",
            Column::Number(_) => "number",
            Column::Boolean(_) => "boolean",
            Column::List { .. } => "list",
            Column::Object { .. } => "object",
        }
    }
}

/// Appends `text` as a JSON string (written by hand when it needs no escape: every member
/// name of a Converz row goes through here).
fn push_quoted(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).unwrap_or_default());
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The start of a value, for an error message.
pub(super) fn preview(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
