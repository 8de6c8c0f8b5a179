//! Tables: where they come from (TPC-H generated in memory, or Parquet files), their
//! schemas for the planner, and their columns in the kernel's representation.
//!
//! A kernel sees integers, decimals as scaled integers (exact arithmetic: `12.34` is
//! 1234 at scale 2) and dates as day numbers since 1970-01-01 (Arrow's `Date32`), each
//! column in the narrowest of `I8[:]`, `I16[:]`, `I32[:]`, `I64[:]` that holds all its
//! values (TPC-H's `l_discount`, 0 to 10, is one byte a row: a scan reads less memory,
//! and a loaded table takes less), and strings as `U8[:]` dictionary codes. Columns are
//! converted batch by batch as they are read, so Arrow's arrays of a whole column (16
//! bytes a decimal) never exist at once. A dictionary is the sorted list of a column's distinct
//! values, so code order is string order (ordering comparisons and ORDER BY work on
//! codes); stage 0 gets it as a define and folds `c_mktsegment = 'BUILDING'` into
//! `c_mktsegment[i] == 1`.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Decimal128Array, Int32Array, Int64Array, RecordBatch,
    RecordBatchReader,
};
use arrow::datatypes::{DataType, Schema, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The tables TPC-H defines, in the order `tpchgen-cli` writes them.
pub const TPCH_TABLES: [&str; 8] = [
    "nation", "region", "part", "supplier", "partsupp", "customer", "orders", "lineitem",
];

/// Dictionary codes are `u8`: a string column with more distinct values is refused
/// rather than compared as text (which kernels cannot do yet).
pub const MAX_DICT: usize = 256;

/// The logical type of a column, as the planner types expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// An integer, Arrow `Int64` (`wide`) or `Int32`.
    Int { wide: bool },
    /// A decimal, as an integer scaled by `10^scale`.
    Decimal { scale: u32 },
    /// Days since 1970-01-01.
    Date,
    /// A string, as a `u8` dictionary code.
    Str,
}

impl ColType {
    /// The type of a column of Arrow type `t`, or why it cannot be used.
    pub fn of_arrow(t: &DataType) -> Result<ColType, String> {
        Ok(match t {
            DataType::Int64 => ColType::Int { wide: true },
            DataType::Int32 => ColType::Int { wide: false },
            DataType::Decimal128(p, s) if *p <= 18 && *s >= 0 => {
                ColType::Decimal { scale: *s as u32 }
            }
            DataType::Date32 => ColType::Date,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ColType::Str,
            other => return Err(format!("columns of Arrow type {other} are not supported")),
        })
    }
}

/// A column in the kernel's representation.
pub enum ColData {
    /// Integers (decimals scaled, dates as day numbers) and their range.
    Int { values: IntValues, lo: i64, hi: i64 },
    /// Codes into `dict`, which is sorted.
    Dict(Vec<u8>, Vec<String>),
}

/// Integer values in the narrowest type that holds them all.
pub enum IntValues {
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl IntValues {
    /// `values` in the narrowest type that holds `lo..=hi`.
    fn narrowest(values: Vec<i64>, lo: i64, hi: i64) -> IntValues {
        fn fits<T: TryFrom<i64>>(lo: i64, hi: i64) -> bool {
            T::try_from(lo).is_ok() && T::try_from(hi).is_ok()
        }
        // The casts cannot truncate: every value lies in lo..=hi, which fits.
        if fits::<i8>(lo, hi) {
            IntValues::I8(values.iter().map(|&v| v as i8).collect())
        } else if fits::<i16>(lo, hi) {
            IntValues::I16(values.iter().map(|&v| v as i16).collect())
        } else if fits::<i32>(lo, hi) {
            IntValues::I32(values.iter().map(|&v| v as i32).collect())
        } else {
            IntValues::I64(values)
        }
    }

    /// The kernel's element type.
    pub fn elem(&self) -> &'static str {
        match self {
            IntValues::I8(_) => "I8",
            IntValues::I16(_) => "I16",
            IntValues::I32(_) => "I32",
            IntValues::I64(_) => "I64",
        }
    }
}

impl ColData {
    pub fn len(&self) -> usize {
        match self {
            ColData::Int { values, .. } => match values {
                IntValues::I8(v) => v.len(),
                IntValues::I16(v) => v.len(),
                IntValues::I32(v) => v.len(),
                IntValues::I64(v) => v.len(),
            },
            ColData::Dict(v, _) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kernel's element type of this column.
    pub fn elem(&self) -> &'static str {
        match self {
            ColData::Int { values, .. } => values.elem(),
            ColData::Dict(..) => "U8",
        }
    }
}

/// A loaded table: the columns a query needs, all of `rows` values.
pub struct Table {
    pub name: String,
    pub rows: usize,
    pub columns: HashMap<String, ColData>,
}

/// Where tables come from.
pub enum Source {
    /// TPC-H at this scale factor, generated in memory by `tpchgen-arrow`.
    Generate { sf: f64 },
    /// One `<table>.parquet` per table in this directory.
    Parquet { dir: PathBuf },
}

/// The tables a query can name, with their schemas.
pub struct Catalog {
    source: Source,
    schemas: HashMap<String, SchemaRef>,
}

impl Catalog {
    /// The TPC-H tables at scale factor `sf`, generated when loaded.
    pub fn generated(sf: f64) -> Result<Catalog> {
        if !(sf > 0.0 && sf <= 1000.0) {
            bail!("--sf {sf}: the scale factor must be above 0 and at most 1000");
        }
        let schemas = TPCH_TABLES
            .iter()
            .map(|t| (t.to_string(), generated_schema(t)))
            .collect();
        Ok(Catalog {
            source: Source::Generate { sf },
            schemas,
        })
    }

    /// The `<table>.parquet` files in `dir`; only their footers are read here.
    pub fn parquet_dir(dir: &Path) -> Result<Catalog> {
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?;
        let mut schemas = HashMap::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let file =
                File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .with_context(|| format!("{} is not a Parquet file we can read", path.display()))?;
            schemas.insert(name.to_string(), builder.schema().clone());
        }
        if schemas.is_empty() {
            bail!("{} holds no <table>.parquet files", dir.display());
        }
        Ok(Catalog {
            source: Source::Parquet {
                dir: dir.to_path_buf(),
            },
            schemas,
        })
    }

    pub fn schema(&self, table: &str) -> Option<&Schema> {
        self.schemas.get(table).map(|s| s.as_ref())
    }

    pub fn table_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.schemas.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Loads `columns` of `table` (all rows) into the kernel's representation.
    pub fn load(&self, table: &str, columns: &[String]) -> Result<Table> {
        let schema = self
            .schemas
            .get(table)
            .ok_or_else(|| anyhow!("no table `{table}`"))?;
        let mut builders = columns
            .iter()
            .map(|name| {
                let field = schema
                    .field_with_name(name)
                    .map_err(|_| anyhow!("table `{table}` has no column `{name}`"))?;
                let ty = ColType::of_arrow(field.data_type())
                    .map_err(|e| anyhow!("{table}.{name}: {e}"))?;
                Ok(ColumnBuilder::new(table, name, ty))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut rows = 0;
        self.each_batch(table, schema, columns, &mut |batch| {
            rows += batch.num_rows();
            for (name, b) in columns.iter().zip(&mut builders) {
                let array = batch
                    .column_by_name(name)
                    .ok_or_else(|| anyhow!("table `{table}` has no column `{name}`"))?;
                b.push(array)?;
            }
            Ok(())
        })?;
        let mut out = HashMap::new();
        for (name, b) in columns.iter().zip(builders) {
            out.insert(name.clone(), b.finish()?);
        }
        Ok(Table {
            name: table.to_string(),
            rows,
            columns: out,
        })
    }

    /// Calls `f` on each of the table's record batches holding (at least) `columns`, as
    /// they are read.
    fn each_batch(
        &self,
        table: &str,
        schema: &SchemaRef,
        columns: &[String],
        f: &mut dyn FnMut(&RecordBatch) -> Result<()>,
    ) -> Result<()> {
        match &self.source {
            Source::Generate { sf } => {
                for batch in generate(table, *sf)? {
                    f(&batch)?;
                }
                Ok(())
            }
            Source::Parquet { dir } => {
                let path = dir.join(format!("{table}.parquet"));
                let file =
                    File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
                let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                // Read only the columns the query names: the others (comments, names)
                // are most of the bytes.
                let roots: Vec<usize> = columns
                    .iter()
                    .filter_map(|c| schema.index_of(c).ok())
                    .collect();
                let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
                let reader = builder
                    .with_projection(mask)
                    .with_batch_size(64 * 1024)
                    .build()
                    .with_context(|| format!("cannot read {}", path.display()))?;
                for batch in reader {
                    f(&batch.with_context(|| format!("cannot read {}", path.display()))?)?;
                }
                Ok(())
            }
        }
    }
}

/// Generates a whole TPC-H table in memory.
pub fn generate(table: &str, sf: f64) -> Result<Vec<RecordBatch>> {
    use tpchgen::generators::*;
    use tpchgen_arrow::*;
    fn all(r: impl RecordBatchReader) -> Result<Vec<RecordBatch>> {
        Ok(r.collect::<Result<Vec<_>, _>>()?)
    }
    match table {
        "nation" => all(NationArrow::new(NationGenerator::new(sf, 1, 1))),
        "region" => all(RegionArrow::new(RegionGenerator::new(sf, 1, 1))),
        "part" => all(PartArrow::new(PartGenerator::new(sf, 1, 1))),
        "supplier" => all(SupplierArrow::new(SupplierGenerator::new(sf, 1, 1))),
        "partsupp" => all(PartSuppArrow::new(PartSuppGenerator::new(sf, 1, 1))),
        "customer" => all(CustomerArrow::new(CustomerGenerator::new(sf, 1, 1))),
        "orders" => all(OrderArrow::new(OrderGenerator::new(sf, 1, 1))),
        "lineitem" => all(LineItemArrow::new(LineItemGenerator::new(sf, 1, 1))),
        other => bail!("`{other}` is not a TPC-H table"),
    }
}

fn generated_schema(table: &str) -> SchemaRef {
    use tpchgen_arrow::*;
    match table {
        "nation" => NationArrow::schema_ref(),
        "region" => RegionArrow::schema_ref(),
        "part" => PartArrow::schema_ref(),
        "supplier" => SupplierArrow::schema_ref(),
        "partsupp" => PartSuppArrow::schema_ref(),
        "customer" => CustomerArrow::schema_ref(),
        "orders" => OrderArrow::schema_ref(),
        _ => LineItemArrow::schema_ref(),
    }
}

/// Writes generated TPC-H tables as `<dir>/<table>.parquet` (Snappy, as `tpchgen-cli
/// parquet` does), so DuckDB can run the same queries over the same data.
pub fn write_parquet(dir: &Path, sf: f64, tables: &[&str]) -> Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for table in tables {
        let path = dir.join(format!("{table}.parquet"));
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut writer = ArrowWriter::try_new(file, generated_schema(table), Some(props))?;
        for batch in generate(table, sf)? {
            writer.write(&batch)?;
        }
        writer.close()?;
    }
    Ok(())
}

/// A column being loaded, batch by batch.
struct ColumnBuilder<'a> {
    table: &'a str,
    name: &'a str,
    ty: ColType,
    ints: Vec<i64>,
    /// Strings: each row's index into `seen`, in order of first appearance.
    ids: Vec<u16>,
    seen: HashMap<String, u16>,
}

impl<'a> ColumnBuilder<'a> {
    fn new(table: &'a str, name: &'a str, ty: ColType) -> ColumnBuilder<'a> {
        ColumnBuilder {
            table,
            name,
            ty,
            ints: Vec::new(),
            ids: Vec::new(),
            seen: HashMap::new(),
        }
    }

    fn push(&mut self, a: &ArrayRef) -> Result<()> {
        let (table, name) = (self.table, self.name);
        if a.null_count() > 0 {
            bail!("{table}.{name} has NULLs, which queries do not handle yet");
        }
        let mismatch = || anyhow!("{table}.{name}: batches of different types");
        match self.ty {
            ColType::Int { wide: true } => {
                let a = a
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .ok_or_else(mismatch)?;
                self.ints.extend_from_slice(a.values());
            }
            ColType::Int { wide: false } | ColType::Date => {
                if let Some(a) = a.as_any().downcast_ref::<Int32Array>() {
                    self.ints.extend(a.values().iter().map(|&v| i64::from(v)));
                } else {
                    let a = a
                        .as_any()
                        .downcast_ref::<Date32Array>()
                        .ok_or_else(mismatch)?;
                    self.ints.extend(a.values().iter().map(|&v| i64::from(v)));
                }
            }
            ColType::Decimal { .. } => {
                let a = a
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .ok_or_else(mismatch)?;
                for &x in a.values().iter() {
                    // Precision 18 or less (checked by `of_arrow`) fits an i64.
                    self.ints.push(
                        i64::try_from(x)
                            .map_err(|_| anyhow!("{table}.{name}: {x} does not fit 64 bits"))?,
                    );
                }
            }
            ColType::Str => {
                let strings: Box<dyn Iterator<Item = &str> + '_> = match a.data_type() {
                    DataType::Utf8View => {
                        Box::new(a.as_string_view().iter().map(|s| s.unwrap_or("")))
                    }
                    DataType::LargeUtf8 => {
                        Box::new(a.as_string::<i64>().iter().map(|s| s.unwrap_or("")))
                    }
                    _ => Box::new(a.as_string::<i32>().iter().map(|s| s.unwrap_or(""))),
                };
                for s in strings {
                    let next = self.seen.len();
                    let id = match self.seen.get(s) {
                        Some(&id) => id,
                        None if next < MAX_DICT => {
                            self.seen.insert(s.to_string(), next as u16);
                            next as u16
                        }
                        None => bail!(
                            "{table}.{name} has more than {MAX_DICT} distinct values: only \
                             low-cardinality strings (dictionary codes) are supported"
                        ),
                    };
                    self.ids.push(id);
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<ColData> {
        if self.ty == ColType::Str {
            // Codes in string order: the sorted dictionary, and each first-seen id's code.
            let mut dict: Vec<(String, u16)> = self.seen.into_iter().collect();
            dict.sort_unstable();
            let mut code = vec![0u8; dict.len()];
            for (c, (_, id)) in dict.iter().enumerate() {
                // At most MAX_DICT (256) values: every code fits a byte.
                code[usize::from(*id)] = c as u8;
            }
            let codes = self.ids.iter().map(|&id| code[usize::from(id)]).collect();
            return Ok(ColData::Dict(
                codes,
                dict.into_iter().map(|(s, _)| s).collect(),
            ));
        }
        let (lo, hi) = self
            .ints
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let (lo, hi) = if self.ints.is_empty() {
            (0, 0)
        } else {
            (lo, hi)
        };
        Ok(ColData::Int {
            values: IntValues::narrowest(self.ints, lo, hi),
            lo,
            hi,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::IntValues;

    #[test]
    fn integers_take_the_narrowest_type_that_holds_their_range() {
        let elem = |lo: i64, hi: i64| IntValues::narrowest(vec![lo, hi], lo, hi).elem();
        assert_eq!(elem(-128, 127), "I8");
        assert_eq!(elem(-129, 0), "I16");
        assert_eq!(elem(0, 128), "I16");
        assert_eq!(elem(-32768, 32767), "I16");
        assert_eq!(elem(0, 32768), "I32");
        assert_eq!(elem(i64::from(i32::MIN), i64::from(i32::MAX)), "I32");
        assert_eq!(elem(0, i64::from(i32::MAX) + 1), "I64");
        assert_eq!(elem(i64::MIN, i64::MAX), "I64");
        // The values survive the narrowing.
        let IntValues::I16(v) = IntValues::narrowest(vec![-300, 7, 300], -300, 300) else {
            panic!("not I16")
        };
        assert_eq!(v, [-300, 7, 300]);
    }
}
