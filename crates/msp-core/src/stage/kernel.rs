//! `def` statements: plain stage-0 functions, `@extern` declarations, and kernels
//! (`@compile`, `@compile(...)`, the seed's `@engine.compile(...)`), which are staged
//! where they stand into [`KernelDef`]s.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use super::interp::{Interp, Res, Scope};
use super::quote::{Expander, assigned_names};
use super::value::{Builtin, FnCode, Value, with_stack_for_depth};
use super::walk::{self, NameUse};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::staged::{ConstValue, ExternDecl, KernelDef, KernelOptions};

/// What a `def`'s decorators make of it.
enum DefRole {
    Function,
    Kernel {
        options: KernelOptions,
        externals: Vec<(Value, Span)>,
    },
    Extern,
}

impl<'a> Interp<'a> {
    /// Runs a `def` statement.
    pub fn exec_def(&mut self, def: &Rc<FunctionDef>, env: &Rc<Scope>) -> Res<()> {
        let mut decorators = Vec::with_capacity(def.decorators.len());
        for d in &def.decorators {
            decorators.push((self.eval(d, env)?, d.span));
        }
        match self.def_role(&decorators)? {
            DefRole::Kernel { options, externals } => {
                for (f, span) in &externals {
                    self.declare_external(f, *span, env)?;
                }
                self.stage_kernel(def, options, env)
                    .map_err(|e| e.with_note(format!("while staging kernel `{}`", def.name.name)))
            }
            DefRole::Extern => self.declare_extern(def, env),
            DefRole::Function => {
                let mut f = self.make_function(def, env)?;
                // Ordinary Python decorators, innermost (last written) first.
                for (d, span) in decorators.into_iter().rev() {
                    f = self.call(&d, vec![f], Vec::new(), span, env)?;
                }
                self.store_name(&def.name.name, f, env, def.name.span)
            }
        }
    }

    fn def_role(&self, decorators: &[(Value, Span)]) -> Res<DefRole> {
        let mut role = None;
        for (v, span) in decorators {
            let this = match v {
                Value::Builtin(Builtin::Compile) => DefRole::Kernel {
                    options: KernelOptions::default(),
                    externals: Vec::new(),
                },
                Value::Decorator(d) => DefRole::Kernel {
                    options: d.options.clone(),
                    externals: d.externals.clone(),
                },
                Value::Builtin(Builtin::Extern) => DefRole::Extern,
                Value::Function(_) | Value::Method(_) | Value::Builtin(_) => continue,
                other => {
                    return Err(self.fail(
                        *span,
                        format!(
                            "unknown decorator: a {} (kernels use @compile, external functions @extern)",
                            other.type_name()
                        ),
                    ));
                }
            };
            if role.is_some() || decorators.len() > 1 {
                return Err(self.fail(
                    *span,
                    "a kernel or extern declaration takes exactly one decorator",
                ));
            }
            role = Some(this);
        }
        Ok(role.unwrap_or(DefRole::Function))
    }

    /// `@extern def f(...) -> T: ...`
    fn declare_extern(&mut self, def: &Rc<FunctionDef>, env: &Rc<Scope>) -> Res<()> {
        self.add_extern(def)?;
        let name = def.name.name.as_str();
        self.store_name(name, Value::Extern(Rc::from(name)), env, def.name.span)
    }

    /// An entry of the seed's `external={...}`: a stage-0 stub whose signature declares
    /// the C function.
    fn declare_external(&mut self, f: &Value, span: Span, env: &Rc<Scope>) -> Res<()> {
        match f {
            Value::Extern(_) => Ok(()),
            Value::Function(clo) => {
                let FnCode::Def(def) = &clo.code else {
                    return Err(self.fail(span, "external= needs `def` stubs with typed signatures, not lambdas"));
                };
                self.add_extern(def)?;
                // Kernels name the function; make the global say it is external.
                let name = def.name.name.as_str();
                let same = matches!(self.lookup(name, env), Some(Value::Function(g)) if Rc::ptr_eq(&g, clo));
                if same {
                    self.globals.set(name, Value::Extern(Rc::from(name)));
                }
                Ok(())
            }
            other => Err(self.fail(
                span,
                format!(
                    "external= lists stage-0 function stubs (`def putchar(c: int) -> int: ...`), not a {}",
                    other.type_name()
                ),
            )),
        }
    }

    fn add_extern(&mut self, def: &Rc<FunctionDef>) -> Res<()> {
        let name = &def.name.name;
        if let Some(prev) = self.staged.externs.iter().find(|e| &e.name.name == name) {
            if prev.span == def.span {
                return Ok(());
            }
            let diag = Diagnostic::error(
                def.name.span,
                format!("external function `{name}` is declared twice"),
            )
            .with_secondary(prev.name.span, "first declared here");
            return Err(self.fail_diag(diag));
        }
        self.staged.externs.push(ExternDecl {
            name: def.name.clone(),
            params: def.params.clone(),
            returns: def.returns.clone(),
            span: def.span,
        });
        Ok(())
    }

    /// Stages a kernel: splices its body, freezes the globals it names, binds its name.
    fn stage_kernel(
        &mut self,
        def: &Rc<FunctionDef>,
        options: KernelOptions,
        env: &Rc<Scope>,
    ) -> Res<()> {
        // `@compile(name=...)` names the kernel; the `def`'s name is only bound to it.
        let kernel_name = Ident {
            name: options
                .name
                .clone()
                .unwrap_or_else(|| def.name.name.clone()),
            span: def.name.span,
        };
        let name = kernel_name.name.clone();
        if let Some(prev) = self.staged.kernels.iter().find(|k| k.name.name == name) {
            let diag =
                Diagnostic::error(def.name.span, format!("kernel `{name}` is defined twice"))
                    .with_secondary(prev.name.span, "first defined here");
            return Err(self.fail_diag(diag));
        }
        let ex = Expander::new(env, assigned_names(&def.body, &def.params));
        let mut params = def.params.clone();
        self.expand_params(&ex, &mut params)?;
        let mut returns = def.returns.clone();
        if let Some(r) = &mut returns {
            self.expand_expr(&ex, r)?;
        }
        let body = self.expand_stmts(&ex, def.body.clone())?;

        let size = params
            .iter()
            .flat_map(|p| p.annotation.iter().chain(&p.default))
            .chain(&returns)
            .map(walk::measure_expr)
            .fold(walk::measure_stmts(&body), walk::Size::and);
        if let Err(e) = self.check_code_size(size, def.span) {
            with_stack_for_depth(size.depth, move || drop(body));
            return Err(e);
        }

        let (consts, opaque_globals) = self.frozen_globals(&name, &params, &returns, &body);
        self.staged.kernels.push(KernelDef {
            name: kernel_name,
            params,
            returns,
            body,
            consts,
            opaque_globals,
            options,
            span: def.span,
        });
        self.store_name(
            &def.name.name,
            Value::Kernel(Rc::from(name.as_str())),
            env,
            def.name.span,
        )
    }

    /// The stage-0 globals a staged kernel reads: scalars become constants, anything else
    /// is recorded with its type name so the checker can explain.
    fn frozen_globals(
        &self,
        kernel: &str,
        params: &[Param],
        returns: &Option<Expr>,
        body: &[Stmt],
    ) -> (BTreeMap<String, ConstValue>, BTreeMap<String, String>) {
        let mut loads = Vec::new();
        let mut stores = HashSet::new();
        let mut visit = |n: &str, u: NameUse| match u {
            NameUse::Load => loads.push(n.to_string()),
            NameUse::Store => {
                stores.insert(n.to_string());
            }
        };
        walk::names_in_params(params, &mut visit);
        if let Some(r) = returns {
            walk::names_in_expr(r, &mut visit);
        }
        walk::names_in_stmts(body, &mut visit);

        let mut consts = BTreeMap::new();
        let mut opaque = BTreeMap::new();
        for name in loads {
            if name == kernel || stores.contains(&name) || consts.contains_key(&name) {
                continue;
            }
            let Some(v) = self.globals.get(&name) else {
                continue;
            };
            match v {
                Value::Int(i) => {
                    consts.insert(name, ConstValue::Int(i));
                }
                Value::Float(f) => {
                    consts.insert(name, ConstValue::Float(f));
                }
                Value::Bool(b) => {
                    consts.insert(name, ConstValue::Bool(b));
                }
                Value::Builtin(_) | Value::Kernel(_) | Value::Extern(_) => {}
                other => {
                    opaque.insert(name, other.type_name().to_string());
                }
            }
        }
        (consts, opaque)
    }
}
