//! SQL text → a small, typed plan: the tables and the columns a query reads, filters
//! pushed to their table, equi-joins in FROM order (left-deep), group keys, aggregates,
//! outputs, ORDER BY and LIMIT.
//!
//! Expressions are typed here, so that the generator only emits code: decimals are
//! scaled integers whose scales this module aligns (`1 - l_discount` is `100 -
//! l_discount` at scale 2), products add scales, constant subexpressions (dates and
//! intervals included) are folded to one integer. Everything this module does not
//! understand is an error naming the construct: a query either runs exactly or not at
//! all.

use std::fmt;

use sqlparser::ast::{
    self, BinaryOperator, DateTimeField, Expr as SqlExpr, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, LimitClause, ObjectNamePart, OrderByKind, SelectItem, SetExpr,
    Statement, TableFactor, UnaryOperator, Value,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use crate::data::{Catalog, ColType};

/// A query that cannot be planned, with the reason.
#[derive(Debug)]
pub struct PlanError(pub String);

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

type Res<T> = Result<T, PlanError>;

fn unsupported<T>(what: impl fmt::Display) -> Res<T> {
    Err(PlanError(format!("unsupported SQL: {what}")))
}

/// The type of a value in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Decimal(u32),
    Date,
    /// A dictionary-coded string (only columns are strings; literals compare with them).
    Str,
    Bool,
    /// avg(...): computed from a sum and a count after the kernel ran.
    Float,
}

impl Ty {
    fn scale(self) -> Option<u32> {
        match self {
            Ty::Int => Some(0),
            Ty::Decimal(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int => f.write_str("integer"),
            Ty::Decimal(s) => write!(f, "decimal (scale {s})"),
            Ty::Date => f.write_str("date"),
            Ty::Str => f.write_str("string"),
            Ty::Bool => f.write_str("boolean"),
            Ty::Float => f.write_str("double"),
        }
    }
}

/// A typed scalar expression over the columns of one row. Integer values are scaled to
/// the expression's decimal scale.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Col {
        table: usize,
        name: String,
    },
    Int(i64),
    Str(String),
    Arith(char, Box<Expr>, Box<Expr>),
    /// `op` is one of `== != < <= > >=`.
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Bool(bool),
}

impl Expr {
    /// The tables whose columns the expression reads.
    pub fn tables(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Col { table, .. } => {
                if !out.contains(table) {
                    out.push(*table);
                }
            }
            Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) => {
                a.tables(out);
                b.tables(out);
            }
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.tables(out)),
            Expr::Not(a) => a.tables(out),
            Expr::Int(_) | Expr::Str(_) | Expr::Bool(_) => {}
        }
    }
}

#[derive(Clone, Debug)]
struct Typed {
    e: Expr,
    ty: Ty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFn {
    Sum,
    Count,
    Min,
    Max,
}

/// An aggregate the kernel computes; `arg` is `None` for `count(*)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Agg {
    pub f: AggFn,
    pub arg: Option<Expr>,
    pub ty: Ty,
}

/// Where an output column's value comes from, in the kernel's result row (group keys,
/// then aggregates, then the group's row count).
#[derive(Clone, Debug)]
pub enum Source {
    Key(usize),
    Agg(usize),
    /// avg: a sum and a count; divided after the kernel, in f64.
    Avg {
        sum: usize,
        count: usize,
        scale: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub ty: Ty,
    pub src: Source,
}

/// A table the query reads.
#[derive(Clone, Debug)]
pub struct TableRef {
    pub name: String,
    pub columns: Vec<String>,
    /// Conjuncts that read this table only (pushed into its scan).
    pub filters: Vec<Expr>,
}

/// `tables[k]` (k ≥ 1) joins the tables before it on `build = probe`, `build` a column
/// of an earlier table, `probe` one of table k.
#[derive(Clone, Debug)]
pub struct Join {
    pub build: Expr,
    pub probe: Expr,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub tables: Vec<TableRef>,
    pub joins: Vec<Join>,
    pub keys: Vec<Expr>,
    pub key_types: Vec<Ty>,
    pub aggs: Vec<Agg>,
    pub outputs: Vec<Output>,
    /// (output column, descending)
    pub order_by: Vec<(usize, bool)>,
    pub limit: Option<usize>,
}

/// Parses one SELECT statement and plans it against the catalog's schemas.
pub fn plan(sql: &str, catalog: &Catalog) -> Res<Plan> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql)
        .map_err(|e| PlanError(format!("SQL syntax: {e}")))?;
    let [statement] = statements.as_slice() else {
        return Err(PlanError(format!(
            "expected one SQL statement, found {}",
            statements.len()
        )));
    };
    let Statement::Query(query) = statement else {
        return unsupported("statements other than SELECT");
    };
    Planner {
        catalog,
        tables: Vec::new(),
        aggs: Vec::new(),
    }
    .query(query)
}

struct Planner<'a> {
    catalog: &'a Catalog,
    tables: Vec<TableRef>,
    aggs: Vec<Agg>,
}

impl Planner<'_> {
    fn query(mut self, q: &ast::Query) -> Res<Plan> {
        if q.with.is_some() {
            return unsupported("WITH");
        }
        if q.fetch.is_some() || !q.locks.is_empty() || q.for_clause.is_some() {
            return unsupported("FETCH, FOR or locking clauses");
        }
        if q.settings.is_some() || q.format_clause.is_some() || !q.pipe_operators.is_empty() {
            return unsupported("SETTINGS, FORMAT or pipe operators");
        }
        let SetExpr::Select(select) = q.body.as_ref() else {
            return unsupported(format!("a query body other than SELECT: {}", q.body));
        };
        let s = select.as_ref();
        if s.distinct.is_some() {
            return unsupported("DISTINCT");
        }
        if s.top.is_some() || s.into.is_some() || s.having.is_some() || s.qualify.is_some() {
            return unsupported("TOP, INTO, HAVING or QUALIFY");
        }
        if s.prewhere.is_some()
            || !s.lateral_views.is_empty()
            || !s.cluster_by.is_empty()
            || !s.distribute_by.is_empty()
            || !s.sort_by.is_empty()
            || !s.named_window.is_empty()
            || !s.connect_by.is_empty()
        {
            return unsupported("dialect-specific SELECT clauses");
        }

        // FROM: base tables in order.
        for twj in &s.from {
            if !twj.joins.is_empty() {
                return unsupported("JOIN ... ON (list the tables in FROM and join in WHERE)");
            }
            self.table(&twj.relation)?;
        }
        if self.tables.is_empty() {
            return unsupported("SELECT without FROM");
        }

        // WHERE: conjuncts, split into per-table filters and join edges.
        let mut conjuncts = Vec::new();
        if let Some(w) = &s.selection {
            let t = self.scalar(w)?;
            if t.ty != Ty::Bool {
                return Err(PlanError(format!(
                    "WHERE needs a condition, not a {}",
                    t.ty
                )));
            }
            flatten_and(t.e, &mut conjuncts);
        }
        let mut edges = Vec::new();
        for c in conjuncts {
            let mut ts = Vec::new();
            c.tables(&mut ts);
            match ts.len() {
                0 => self.tables[0].filters.push(c),
                1 => self.tables[ts[0]].filters.push(c),
                _ => match c {
                    Expr::Cmp("==", a, b) if ts.len() == 2 => edges.push((*a, *b)),
                    other => {
                        return unsupported(format!(
                            "a condition over several tables other than column = column: {other:?}"
                        ));
                    }
                },
            }
        }
        let joins = self.order_joins(edges)?;

        // GROUP BY: columns.
        let mut keys = Vec::new();
        let mut key_types = Vec::new();
        match &s.group_by {
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return unsupported("GROUP BY modifiers (ROLLUP, CUBE, ...)");
                }
                for e in exprs {
                    let t = self.scalar(e)?;
                    if !matches!(t.e, Expr::Col { .. }) {
                        return unsupported(format!(
                            "GROUP BY an expression other than a column: {e}"
                        ));
                    }
                    keys.push(t.e);
                    key_types.push(t.ty);
                }
            }
            GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
        }

        // SELECT list: group keys and aggregates.
        let any_call = s.projection.iter().any(|item| {
            matches!(item, SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }
                if e.to_string().contains('('))
        });
        if keys.is_empty() && !any_call {
            return unsupported(
                "SELECT without aggregates or GROUP BY (row-returning queries are not done yet)",
            );
        }
        let mut outputs = Vec::new();
        for item in &s.projection {
            let (e, alias) = match item {
                SelectItem::UnnamedExpr(e) => (e, None),
                SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
                _ => return unsupported(format!("the select item {item}")),
            };
            let name = alias.unwrap_or_else(|| e.to_string());
            let (ty, src) = self.output(e, &keys, &key_types)?;
            outputs.push(Output { name, ty, src });
        }
        if keys.is_empty() && self.aggs.is_empty() {
            return unsupported(
                "SELECT without aggregates or GROUP BY (row-returning queries are not done yet)",
            );
        }

        // ORDER BY: output names or positions, or expressions equal to an output.
        let mut order_by = Vec::new();
        if let Some(ob) = &q.order_by {
            if ob.interpolate.is_some() {
                return unsupported("ORDER BY ... INTERPOLATE");
            }
            let OrderByKind::Expressions(items) = &ob.kind else {
                return unsupported("ORDER BY ALL");
            };
            for item in items {
                if item.with_fill.is_some()
                    || item.options.nulls_first.is_some()
                    || matches!(item.options.sort, Some(ast::OrderBySort::Using(_)))
                {
                    return unsupported("ORDER BY ... WITH FILL or NULLS FIRST/LAST");
                }
                let at = self.order_target(&item.expr, &s.projection, &outputs)?;
                order_by.push((
                    at,
                    matches!(item.options.sort, Some(ast::OrderBySort::Desc)),
                ));
            }
        }
        let limit = match &q.limit_clause {
            None
            | Some(LimitClause::LimitOffset {
                limit: None,
                offset: None,
                ..
            }) => None,
            Some(LimitClause::LimitOffset {
                limit: Some(e),
                offset: None,
                limit_by,
            }) if limit_by.is_empty() => Some(self.constant_count(e, "LIMIT")?),
            Some(other) => return unsupported(format!("{other}")),
        };

        // Every table needs a column to count its rows by.
        for t in &mut self.tables {
            if t.columns.is_empty() {
                let schema = self.catalog.schema(&t.name).expect("planned tables exist");
                t.columns.push(schema.field(0).name().clone());
            }
        }
        Ok(Plan {
            tables: self.tables,
            joins,
            keys,
            key_types,
            aggs: self.aggs,
            outputs,
            order_by,
            limit,
        })
    }

    fn table(&mut self, f: &TableFactor) -> Res<()> {
        let TableFactor::Table {
            name, alias, args, ..
        } = f
        else {
            return unsupported(format!("FROM {f} (only table names)"));
        };
        if args.is_some() {
            return unsupported(format!("the table function {f}"));
        }
        if alias.is_some() {
            return unsupported(format!("table aliases ({f})"));
        }
        let table = match name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => id.value.to_lowercase(),
            _ => return unsupported(format!("the qualified table name {name}")),
        };
        if self.catalog.schema(&table).is_none() {
            return Err(PlanError(format!(
                "no table `{table}` (tables: {})",
                self.catalog.table_names().join(", ")
            )));
        }
        if self.tables.iter().any(|t| t.name == table) {
            return unsupported(format!("the table `{table}` twice (self-joins)"));
        }
        self.tables.push(TableRef {
            name: table,
            columns: Vec::new(),
            filters: Vec::new(),
        });
        Ok(())
    }

    /// Left-deep joins in FROM order: each later table must be connected to the ones
    /// before it by exactly one column = column condition.
    fn order_joins(&self, mut edges: Vec<(Expr, Expr)>) -> Res<Vec<Join>> {
        let mut joins = Vec::new();
        for k in 1..self.tables.len() {
            let mut found = None;
            for (i, (a, b)) in edges.iter().enumerate() {
                let (ta, tb) = (col_table(a), col_table(b));
                if tb == Some(k) && ta.is_some_and(|t| t < k) {
                    found = Some((i, a.clone(), b.clone()));
                } else if ta == Some(k) && tb.is_some_and(|t| t < k) {
                    found = Some((i, b.clone(), a.clone()));
                } else {
                    continue;
                }
                break;
            }
            let Some((i, build, probe)) = found else {
                return unsupported(format!(
                    "a cross join: no column = column condition joins `{}` to the tables before it",
                    self.tables[k].name
                ));
            };
            edges.remove(i);
            joins.push(Join { build, probe });
        }
        if let Some((a, b)) = edges.first() {
            return unsupported(format!(
                "a second join condition between the same tables ({a:?} = {b:?})"
            ));
        }
        Ok(joins)
    }

    /// A column by name, among the FROM tables; records that the query reads it.
    fn column(&mut self, name: &str) -> Res<Typed> {
        let name = name.to_lowercase();
        let mut hits = Vec::new();
        for (i, t) in self.tables.iter().enumerate() {
            let schema = self.catalog.schema(&t.name).expect("planned tables exist");
            if let Ok(f) = schema.field_with_name(&name) {
                hits.push((i, f.data_type().clone()));
            }
        }
        let [(table, dt)] = hits.as_slice() else {
            return Err(PlanError(if hits.is_empty() {
                format!("no column `{name}` in the FROM tables")
            } else {
                format!("column `{name}` is ambiguous")
            }));
        };
        let ty =
            match ColType::of_arrow(dt).map_err(|e| PlanError(format!("column `{name}`: {e}")))? {
                ColType::Int { .. } => Ty::Int,
                ColType::Decimal { scale } => Ty::Decimal(scale),
                ColType::Date => Ty::Date,
                ColType::Str => Ty::Str,
            };
        let t = &mut self.tables[*table];
        if !t.columns.contains(&name) {
            t.columns.push(name.clone());
        }
        Ok(Typed {
            e: Expr::Col {
                table: *table,
                name,
            },
            ty,
        })
    }

    /// A scalar expression (no aggregates).
    fn scalar(&mut self, e: &SqlExpr) -> Res<Typed> {
        match e {
            SqlExpr::Identifier(id) => self.column(&id.value),
            SqlExpr::CompoundIdentifier(_) => unsupported(format!("qualified column names ({e})")),
            SqlExpr::Nested(inner) => self.scalar(inner),
            SqlExpr::Value(v) => literal(&v.value),
            SqlExpr::TypedString(ts) => match (&ts.data_type, &ts.value.value) {
                (ast::DataType::Date, Value::SingleQuotedString(s)) => Ok(Typed {
                    e: Expr::Int(parse_date(s)?),
                    ty: Ty::Date,
                }),
                _ => unsupported(format!("the typed literal {e}")),
            },
            SqlExpr::Interval(_) => {
                unsupported(format!("an interval outside `date ± interval` ({e})"))
            }
            SqlExpr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let t = self.condition(expr)?;
                Ok(Typed {
                    e: fold_not(t),
                    ty: Ty::Bool,
                })
            }
            SqlExpr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => {
                let t = self.scalar(expr)?;
                if t.ty.scale().is_none() {
                    return unsupported(format!("minus on a {}", t.ty));
                }
                arith(
                    '-',
                    Typed {
                        e: Expr::Int(0),
                        ty: Ty::Int,
                    },
                    t,
                )
            }
            SqlExpr::BinaryOp { left, op, right } => self.binary(e, left, op, right),
            SqlExpr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.scalar(expr)?;
                let lo = self.scalar(low)?;
                let hi = self.scalar(high)?;
                let both = Expr::And(vec![
                    compare(">=", x.clone(), lo)?.e,
                    compare("<=", x, hi)?.e,
                ]);
                let e = if *negated {
                    Expr::Not(Box::new(both))
                } else {
                    both
                };
                Ok(Typed { e, ty: Ty::Bool })
            }
            SqlExpr::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                global: false,
            } => {
                let x = self.scalar(expr)?;
                let mut any = Vec::new();
                for item in list {
                    let v = self.scalar(item)?;
                    any.push(compare("==", x.clone(), v)?.e);
                }
                let e = Expr::Or(any);
                let e = if *negated { Expr::Not(Box::new(e)) } else { e };
                Ok(Typed { e, ty: Ty::Bool })
            }
            SqlExpr::Function(_) => unsupported(format!(
                "the function call {e} here (aggregates only in the SELECT list)"
            )),
            other => unsupported(format!("the expression {other}")),
        }
    }

    fn condition(&mut self, e: &SqlExpr) -> Res<Typed> {
        let t = self.scalar(e)?;
        if t.ty != Ty::Bool {
            return Err(PlanError(format!("`{e}` is a {}, not a condition", t.ty)));
        }
        Ok(t)
    }

    fn binary(
        &mut self,
        whole: &SqlExpr,
        l: &SqlExpr,
        op: &BinaryOperator,
        r: &SqlExpr,
    ) -> Res<Typed> {
        // date ± interval: folded here, on constants only.
        if let (BinaryOperator::Plus | BinaryOperator::Minus, SqlExpr::Interval(iv)) = (op, r) {
            let d = self.scalar(l)?;
            let (Ty::Date, Expr::Int(day)) = (d.ty, &d.e) else {
                return unsupported(format!(
                    "an interval added to anything but a date constant ({whole})"
                ));
            };
            let sign = if *op == BinaryOperator::Plus { 1 } else { -1 };
            return Ok(Typed {
                e: Expr::Int(add_interval(*day, iv, sign)?),
                ty: Ty::Date,
            });
        }
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let a = self.condition(l)?;
                let b = self.condition(r)?;
                let e = if *op == BinaryOperator::And {
                    Expr::And(vec![a.e, b.e])
                } else {
                    Expr::Or(vec![a.e, b.e])
                };
                Ok(Typed { e, ty: Ty::Bool })
            }
            BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply => {
                let a = self.scalar(l)?;
                let b = self.scalar(r)?;
                let c = match op {
                    BinaryOperator::Plus => '+',
                    BinaryOperator::Minus => '-',
                    _ => '*',
                };
                arith(c, a, b)
            }
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq => {
                let a = self.scalar(l)?;
                let b = self.scalar(r)?;
                let c = match op {
                    BinaryOperator::Eq => "==",
                    BinaryOperator::NotEq => "!=",
                    BinaryOperator::Lt => "<",
                    BinaryOperator::LtEq => "<=",
                    BinaryOperator::Gt => ">",
                    _ => ">=",
                };
                compare(c, a, b)
            }
            other => unsupported(format!("the operator {other} ({whole})")),
        }
    }

    /// A SELECT item: a group key, an aggregate, or avg.
    fn output(&mut self, e: &SqlExpr, keys: &[Expr], key_types: &[Ty]) -> Res<(Ty, Source)> {
        if let SqlExpr::Nested(inner) = e {
            return self.output(inner, keys, key_types);
        }
        if let SqlExpr::Function(f) = e {
            let fname = f.name.to_string().to_lowercase();
            if f.filter.is_some() || f.over.is_some() || !f.within_group.is_empty() {
                return unsupported(format!("FILTER, OVER or WITHIN GROUP ({e})"));
            }
            let FunctionArguments::List(list) = &f.args else {
                return unsupported(format!("the call {e}"));
            };
            if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                return unsupported(format!("DISTINCT or clauses in an aggregate ({e})"));
            }
            let arg = match list.args.as_slice() {
                [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if fname == "count" => None,
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(a))] => Some(self.scalar(a)?),
                _ => return unsupported(format!("the arguments of {e}")),
            };
            let numeric = |t: &Option<Typed>| -> Res<Typed> {
                match t {
                    Some(t) if t.ty.scale().is_some() => Ok(t.clone()),
                    Some(t) => unsupported(format!("{fname} of a {} ({e})", t.ty)),
                    None => unsupported(format!("{fname}(*)")),
                }
            };
            return match fname.as_str() {
                "count" => {
                    // count(x) of a column without NULLs is count(*).
                    let i = self.agg(AggFn::Count, None, Ty::Int);
                    Ok((Ty::Int, Source::Agg(i)))
                }
                "sum" => {
                    let t = numeric(&arg)?;
                    let i = self.agg(AggFn::Sum, Some(t.e), t.ty);
                    Ok((t.ty, Source::Agg(i)))
                }
                "min" | "max" => {
                    let Some(t) = arg else {
                        return unsupported(format!("{fname}(*)"));
                    };
                    if matches!(t.ty, Ty::Str | Ty::Bool) {
                        return unsupported(format!("{fname} of a {} ({e})", t.ty));
                    }
                    let f = if fname == "min" {
                        AggFn::Min
                    } else {
                        AggFn::Max
                    };
                    let i = self.agg(f, Some(t.e), t.ty);
                    Ok((t.ty, Source::Agg(i)))
                }
                "avg" => {
                    let t = numeric(&arg)?;
                    let scale = t.ty.scale().unwrap_or(0);
                    let sum = self.agg(AggFn::Sum, Some(t.e), t.ty);
                    let count = self.agg(AggFn::Count, None, Ty::Int);
                    Ok((Ty::Float, Source::Avg { sum, count, scale }))
                }
                _ => unsupported(format!("the function {fname} ({e})")),
            };
        }
        let t = self.scalar(e)?;
        match keys.iter().position(|k| *k == t.e) {
            Some(i) => Ok((key_types[i], Source::Key(i))),
            None => unsupported(format!(
                "`{e}` in the SELECT list: only group keys and aggregates (sum, count, avg, min, max)"
            )),
        }
    }

    /// The index of an aggregate, shared when the same one appears twice.
    fn agg(&mut self, f: AggFn, arg: Option<Expr>, ty: Ty) -> usize {
        let a = Agg { f, arg, ty };
        if let Some(i) = self.aggs.iter().position(|x| *x == a) {
            return i;
        }
        self.aggs.push(a);
        self.aggs.len() - 1
    }

    fn order_target(
        &mut self,
        e: &SqlExpr,
        items: &[SelectItem],
        outputs: &[Output],
    ) -> Res<usize> {
        if let SqlExpr::Identifier(id) = e
            && let Some(i) = outputs
                .iter()
                .position(|o| o.name.eq_ignore_ascii_case(&id.value))
        {
            return Ok(i);
        }
        if let SqlExpr::Value(v) = e
            && let Value::Number(n, _) = &v.value
        {
            return match n.parse::<usize>() {
                Ok(k) if (1..=outputs.len()).contains(&k) => Ok(k - 1),
                _ => Err(PlanError(format!("ORDER BY {n}: no such output column"))),
            };
        }
        for (i, item) in items.iter().enumerate() {
            let expr = match item {
                SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. } => x,
                _ => continue,
            };
            if expr == e {
                return Ok(i);
            }
        }
        unsupported(format!("ORDER BY `{e}`, which is not an output column"))
    }

    fn constant_count(&mut self, e: &SqlExpr, what: &str) -> Res<usize> {
        match literal_of(e) {
            Some(Value::Number(n, _)) => n
                .parse::<usize>()
                .map_err(|_| PlanError(format!("{what} {n}: not a row count"))),
            _ => unsupported(format!("{what} {e} (only a number)")),
        }
    }
}

fn literal_of(e: &SqlExpr) -> Option<&Value> {
    match e {
        SqlExpr::Value(v) => Some(&v.value),
        _ => None,
    }
}

fn col_table(e: &Expr) -> Option<usize> {
    match e {
        Expr::Col { table, .. } => Some(*table),
        _ => None,
    }
}

fn flatten_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::And(v) => v.into_iter().for_each(|x| flatten_and(x, out)),
        other => out.push(other),
    }
}

fn fold_not(t: Typed) -> Expr {
    match t.e {
        Expr::Bool(b) => Expr::Bool(!b),
        e => Expr::Not(Box::new(e)),
    }
}

/// A number or string literal. `12.50` is a decimal of scale 2, `3` an integer.
fn literal(v: &Value) -> Res<Typed> {
    match v {
        Value::Number(n, _) => {
            let (int, frac) = n.split_once('.').unwrap_or((n, ""));
            let digits = format!("{int}{frac}");
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 18 {
                return unsupported(format!("the number {n}"));
            }
            let value: i64 = digits
                .parse()
                .map_err(|_| PlanError(format!("the number {n} does not fit 64 bits")))?;
            let ty = if frac.is_empty() {
                Ty::Int
            } else {
                Ty::Decimal(frac.len() as u32)
            };
            Ok(Typed {
                e: Expr::Int(value),
                ty,
            })
        }
        Value::SingleQuotedString(s) => Ok(Typed {
            e: Expr::Str(s.clone()),
            ty: Ty::Str,
        }),
        Value::Boolean(b) => Ok(Typed {
            e: Expr::Bool(*b),
            ty: Ty::Bool,
        }),
        other => unsupported(format!("the literal {other}")),
    }
}

/// `e` scaled from `from` to `to` decimal places (`to >= from`).
fn rescale(t: Typed, to: u32) -> Res<Expr> {
    let from = t.ty.scale().unwrap_or(0);
    if to == from {
        return Ok(t.e);
    }
    let factor = 10i64
        .checked_pow(to - from)
        .ok_or_else(|| PlanError(format!("decimal scale {to} is too large")))?;
    fold('*', t.e, Expr::Int(factor))
}

/// Folds integer constants; anything else becomes an `Arith` node.
fn fold(op: char, a: Expr, b: Expr) -> Res<Expr> {
    if let (Expr::Int(x), Expr::Int(y)) = (&a, &b) {
        let v = match op {
            '+' => x.checked_add(*y),
            '-' => x.checked_sub(*y),
            _ => x.checked_mul(*y),
        };
        return v
            .map(Expr::Int)
            .ok_or_else(|| PlanError(format!("the constant {x} {op} {y} overflows 64 bits")));
    }
    Ok(Expr::Arith(op, Box::new(a), Box::new(b)))
}

fn arith(op: char, a: Typed, b: Typed) -> Res<Typed> {
    let (Some(sa), Some(sb)) = (a.ty.scale(), b.ty.scale()) else {
        return unsupported(format!("arithmetic on a {} and a {}", a.ty, b.ty));
    };
    let (e, scale) = if op == '*' {
        (fold('*', a.e, b.e)?, sa + sb)
    } else {
        let s = sa.max(sb);
        (fold(op, rescale(a, s)?, rescale(b, s)?)?, s)
    };
    if scale > 18 {
        return unsupported("decimal results with more than 18 digits after the point");
    }
    let ty = if scale == 0 {
        Ty::Int
    } else {
        Ty::Decimal(scale)
    };
    Ok(Typed { e, ty })
}

fn compare(op: &'static str, a: Typed, b: Typed) -> Res<Typed> {
    let e = match (a.ty, b.ty) {
        (Ty::Str, Ty::Str) => {
            if matches!((&a.e, &b.e), (Expr::Str(_), Expr::Str(_))) {
                return unsupported("comparing two string constants");
            }
            if !matches!(
                (&a.e, &b.e),
                (Expr::Col { .. }, Expr::Str(_)) | (Expr::Str(_), Expr::Col { .. })
            ) {
                return unsupported("comparing two string columns (dictionaries differ)");
            }
            Expr::Cmp(op, Box::new(a.e), Box::new(b.e))
        }
        (Ty::Date, Ty::Date) => Expr::Cmp(op, Box::new(a.e), Box::new(b.e)),
        (x, y) if x.scale().is_some() && y.scale().is_some() => {
            let s = x.scale().unwrap_or(0).max(y.scale().unwrap_or(0));
            let (l, r) = (rescale(a, s)?, rescale(b, s)?);
            if let (Expr::Int(p), Expr::Int(q)) = (&l, &r) {
                let v = match op {
                    "==" => p == q,
                    "!=" => p != q,
                    "<" => p < q,
                    "<=" => p <= q,
                    ">" => p > q,
                    _ => p >= q,
                };
                return Ok(Typed {
                    e: Expr::Bool(v),
                    ty: Ty::Bool,
                });
            }
            Expr::Cmp(op, Box::new(l), Box::new(r))
        }
        (x, y) => return unsupported(format!("comparing a {x} with a {y}")),
    };
    Ok(Typed { e, ty: Ty::Bool })
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Res<i64> {
    let bad = || PlanError(format!("`{s}` is not a date (YYYY-MM-DD)"));
    let mut parts = s.trim().splitn(3, '-');
    let mut next = || -> Res<i64> { parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad) };
    let (y, m, d) = (next()?, next()?, next()?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil: the proleptic Gregorian calendar.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `day ± interval 'n' day|month|year`; months clamp to the month's last day, as
/// DuckDB and PostgreSQL do.
fn add_interval(day: i64, iv: &ast::Interval, sign: i64) -> Res<i64> {
    let n = match iv.value.as_ref() {
        SqlExpr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::Number(s, _) => s.trim().parse::<i64>().ok(),
            _ => None,
        },
        _ => None,
    };
    let Some(n) = n else {
        return unsupported(format!(
            "the interval {iv} (only a whole number of days, months or years)"
        ));
    };
    if iv.last_field.is_some() || iv.fractional_seconds_precision.is_some() {
        return unsupported(format!("the interval {iv}"));
    }
    let n = n * sign;
    match iv.leading_field {
        Some(DateTimeField::Day | DateTimeField::Days) => Ok(day + n),
        Some(DateTimeField::Month | DateTimeField::Months) => Ok(add_months(day, n)),
        Some(DateTimeField::Year | DateTimeField::Years) => Ok(add_months(day, 12 * n)),
        _ => unsupported(format!("the interval {iv} (only DAY, MONTH or YEAR)")),
    }
}

fn add_months(day: i64, n: i64) -> i64 {
    let (y, m, d) = civil_from_days(day);
    let total = y * 12 + (m - 1) + n;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    days_from_civil(y, m, d.min(days_in_month(y, m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01").ok(), Some(0));
        assert_eq!(parse_date("1998-12-01").ok(), Some(10561));
        for z in [-1000, 0, 10561, 20000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            add_months(parse_date("1994-01-31").unwrap_or(0), 1),
            parse_date("1994-02-28").unwrap_or(0)
        );
        assert!(parse_date("1994-02-30").is_err());
    }
}
