//! TPC-H Q6, compiled ahead of time: msp-query's generator turned the query's plan into
//! one kernel at build time (see build.rs), and this crate calls it like any Rust
//! function. The program links msp's small runtime (`msp-rt`, for the kernel's
//! `prange` loop and its fault record) and no LLVM.
//!
//! ```
//! let lineitem = msp_query_aot::Lineitem::generate(0.001);
//! let (revenue, rows) = msp_query_aot::q6(&lineitem).unwrap();
//! assert!(rows > 0 && revenue > 0);
//! ```

msp::include_kernels!("q6");

/// The four lineitem columns Q6 reads, in the kernel's representation: dates as days
/// since 1970-01-01, decimals as integers scaled by 100.
pub struct Lineitem {
    pub l_shipdate: Vec<i32>,
    pub l_discount: Vec<i64>,
    pub l_quantity: Vec<i64>,
    pub l_extendedprice: Vec<i64>,
}

impl Lineitem {
    /// TPC-H's lineitem at scale factor `sf`, from the `tpchgen` generator (the same
    /// rows `tpchgen-cli` writes).
    pub fn generate(sf: f64) -> Lineitem {
        let mut t = Lineitem {
            l_shipdate: Vec::new(),
            l_discount: Vec::new(),
            l_quantity: Vec::new(),
            l_extendedprice: Vec::new(),
        };
        for row in tpchgen::generators::LineItemGenerator::new(sf, 1, 1).iter() {
            t.l_shipdate.push(row.l_shipdate.to_unix_epoch());
            t.l_discount.push(row.l_discount.0);
            // tpchgen's quantity is a whole number; the query's decimal has scale 2.
            t.l_quantity.push(row.l_quantity * 100);
            t.l_extendedprice.push(row.l_extendedprice.0);
        }
        t
    }
}

/// Q6's revenue (a decimal of scale 4: price × discount) and the rows it sums.
pub fn q6(t: &Lineitem) -> Result<(i64, i64), String> {
    let mut out = [0i64; 2];
    let rows = q6_revenue(
        &t.l_shipdate,
        &t.l_discount,
        &t.l_quantity,
        &t.l_extendedprice,
        &mut out,
    )
    .map_err(|e| e.to_string())?;
    match rows {
        1 => Ok((out[0], out[1])),
        n => Err(format!("the Q6 kernel returned {n}")),
    }
}

/// A decimal of scale `scale` as text, as DuckDB prints it.
pub fn decimal(v: i64, scale: u32) -> String {
    let p = 10u64.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:0w$}", a / p, a % p, w = scale as usize)
}
