//! Tables: where they come from (TPC-H generated in memory, or Parquet files), their
//! schemas for the planner, and their columns in the kernel's representation.
//!
//! A kernel sees integers as they are stored (`Int64` → `I64[:]`, `Int32` → `I32[:]`),
//! decimals as `I64[:]` scaled integers (exact arithmetic: `12.34` is 1234 at scale 2),
//! dates as `I32[:]` day numbers since 1970-01-01 (Arrow's `Date32`), and strings as
//! `U8[:]` dictionary codes. A dictionary is the sorted list of a column's distinct
//! values, so code order is string order (ordering comparisons and ORDER BY work on
//! codes); stage 0 gets it as a define and folds `c_mktsegment = 'BUILDING'` into
//! `c_mktsegment[i] == 1`.

use std::collections::{BTreeSet, HashMap};
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
    /// An integer stored as `i64` (`wide`) or `i32`.
    Int { wide: bool },
    /// A decimal as an `i64` scaled by `10^scale`.
    Decimal { scale: u32 },
    /// Days since 1970-01-01, `i32`.
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

    /// The kernel's element type for a column of this type.
    pub fn kernel_elem(self) -> &'static str {
        match self {
            ColType::Int { wide: true } | ColType::Decimal { .. } => "I64",
            ColType::Int { wide: false } | ColType::Date => "I32",
            ColType::Str => "U8",
        }
    }
}

/// A column in the kernel's representation.
pub enum ColData {
    I64(Vec<i64>),
    I32(Vec<i32>),
    /// Codes into `dict`, which is sorted.
    Dict(Vec<u8>, Vec<String>),
}

impl ColData {
    pub fn len(&self) -> usize {
        match self {
            ColData::I64(v) => v.len(),
            ColData::I32(v) => v.len(),
            ColData::Dict(v, _) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        let batches = self.batches(table, schema, columns)?;
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        let mut out = HashMap::new();
        for name in columns {
            let arrays: Vec<ArrayRef> = batches
                .iter()
                .map(|b| {
                    b.column_by_name(name)
                        .cloned()
                        .ok_or_else(|| anyhow!("table `{table}` has no column `{name}`"))
                })
                .collect::<Result<_>>()?;
            let field = schema
                .field_with_name(name)
                .map_err(|_| anyhow!("table `{table}` has no column `{name}`"))?;
            let data = convert(table, name, field.data_type(), &arrays, rows)?;
            out.insert(name.clone(), data);
        }
        Ok(Table {
            name: table.to_string(),
            rows,
            columns: out,
        })
    }

    /// The table's record batches holding (at least) `columns`.
    fn batches(
        &self,
        table: &str,
        schema: &SchemaRef,
        columns: &[String],
    ) -> Result<Vec<RecordBatch>> {
        match &self.source {
            Source::Generate { sf } => generate(table, *sf),
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
                reader
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("cannot read {}", path.display()))
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

/// One column of `rows` values from its Arrow arrays.
fn convert(
    table: &str,
    name: &str,
    t: &DataType,
    arrays: &[ArrayRef],
    rows: usize,
) -> Result<ColData> {
    let ty = ColType::of_arrow(t).map_err(|e| anyhow!("{table}.{name}: {e}"))?;
    if arrays.iter().any(|a| a.null_count() > 0) {
        bail!("{table}.{name} has NULLs, which queries do not handle yet");
    }
    let mismatch = || anyhow!("{table}.{name}: batches of different types");
    Ok(match ty {
        ColType::Int { wide: true } => {
            let mut v = Vec::with_capacity(rows);
            for a in arrays {
                let a = a
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .ok_or_else(mismatch)?;
                v.extend_from_slice(a.values());
            }
            ColData::I64(v)
        }
        ColType::Int { wide: false } | ColType::Date => {
            let mut v = Vec::with_capacity(rows);
            for a in arrays {
                if let Some(a) = a.as_any().downcast_ref::<Int32Array>() {
                    v.extend_from_slice(a.values());
                } else {
                    let a = a
                        .as_any()
                        .downcast_ref::<Date32Array>()
                        .ok_or_else(mismatch)?;
                    v.extend_from_slice(a.values());
                }
            }
            ColData::I32(v)
        }
        ColType::Decimal { .. } => {
            let mut v = Vec::with_capacity(rows);
            for a in arrays {
                let a = a
                    .as_any()
                    .downcast_ref::<Decimal128Array>()
                    .ok_or_else(mismatch)?;
                for &x in a.values().iter() {
                    // Precision 18 or less (checked by `of_arrow`) fits an i64.
                    v.push(
                        i64::try_from(x)
                            .map_err(|_| anyhow!("{table}.{name}: {x} does not fit 64 bits"))?,
                    );
                }
            }
            ColData::I64(v)
        }
        ColType::Str => dictionary(table, name, arrays, rows)?,
    })
}

/// Dictionary-codes a string column: the sorted distinct values, and each row's index.
fn dictionary(table: &str, name: &str, arrays: &[ArrayRef], rows: usize) -> Result<ColData> {
    fn strings(a: &ArrayRef) -> Box<dyn Iterator<Item = &str> + '_> {
        match a.data_type() {
            DataType::Utf8View => Box::new(a.as_string_view().iter().map(|s| s.unwrap_or(""))),
            DataType::LargeUtf8 => Box::new(a.as_string::<i64>().iter().map(|s| s.unwrap_or(""))),
            _ => Box::new(a.as_string::<i32>().iter().map(|s| s.unwrap_or(""))),
        }
    }
    let mut distinct = BTreeSet::new();
    for a in arrays {
        for s in strings(a) {
            if distinct.len() > MAX_DICT {
                break;
            }
            distinct.insert(s);
        }
        if distinct.len() > MAX_DICT {
            bail!(
                "{table}.{name} has more than {MAX_DICT} distinct values: only low-cardinality \
                 strings (dictionary codes) are supported"
            );
        }
    }
    let dict: Vec<String> = distinct.iter().map(|s| s.to_string()).collect();
    let index: HashMap<&str, u8> = distinct
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i as u8))
        .collect();
    let mut codes = Vec::with_capacity(rows);
    for a in arrays {
        codes.extend(strings(a).map(|s| index[s]));
    }
    Ok(ColData::Dict(codes, dict))
}
