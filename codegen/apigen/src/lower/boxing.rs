//! Which references are boxed: a type that holds itself inline, directly
//! or through others, has no size unless one link of the cycle is a `Box`.
//! References behind a `Vec` or a map already allocate and never count.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::ir::{Ty, TypeDef, TypeKind};

/// Sets [`TypeDef::boxed`] on every type: a reference is boxed when its
/// target is in the same strongly connected component as its owner and
/// that component is a cycle. Boxing every such edge is more than the
/// minimum, but it is stable: adding a type elsewhere never moves a `Box`.
pub fn decide(types: &mut IndexMap<String, TypeDef>) {
    let (scc, cyclic) = cycles(types);
    let boxed: Vec<Vec<String>> = types
        .values()
        .map(|t| {
            let mut out: Vec<String> = Vec::new();
            for to in edges(&t.kind) {
                let same = match (scc.get(t.name.as_str()), scc.get(to)) {
                    (Some(a), Some(b)) => a == b && cyclic.contains(a),
                    _ => false,
                };
                if same && !out.iter().any(|o| o == to) {
                    out.push(to.to_owned());
                }
            }
            out
        })
        .collect();
    for (t, b) in types.values_mut().zip(boxed) {
        t.boxed = b;
    }
}

/// Edges between named types that are stored inline (not behind a `Vec`
/// or map, which already allocate).
fn inline_refs<'a>(ty: &'a Ty, out: &mut Vec<&'a str>) {
    match ty {
        Ty::Named(n) => out.push(n),
        Ty::Option(inner) => inline_refs(inner, out),
        _ => {}
    }
}

fn edges(kind: &TypeKind) -> Vec<&str> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct { fields, .. } => fields.iter().for_each(|f| inline_refs(&f.ty, &mut out)),
        TypeKind::Union { variants, .. } => variants.iter().for_each(|v| inline_refs(&v.ty, &mut out)),
        TypeKind::Alias(ty) => inline_refs(ty, &mut out),
        TypeKind::StringEnum { .. } | TypeKind::IntegerEnum { .. } => {}
    }
    out
}

/// Tarjan's strongly connected components, iterative so that a long chain
/// of types cannot overflow the stack.
fn cycles(types: &IndexMap<String, TypeDef>) -> (HashMap<&str, usize>, HashSet<usize>) {
    let names: Vec<&str> = types.keys().map(String::as_str).collect();
    let index_of: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adj: Vec<Vec<usize>> = types
        .values()
        .map(|t| edges(&t.kind).into_iter().filter_map(|n| index_of.get(n).copied()).collect())
        .collect();
    let n = names.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next = 0;
    let mut ncomp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = ncomp;
                    if w == v {
                        break;
                    }
                }
                ncomp += 1;
            }
        }
    }
    let mut size = vec![0usize; ncomp];
    for c in &comp {
        size[*c] += 1;
    }
    let mut cyclic = HashSet::new();
    for (v, targets) in adj.iter().enumerate() {
        if size[comp[v]] > 1 || targets.contains(&v) {
            cyclic.insert(comp[v]);
        }
    }
    let scc = names.iter().enumerate().map(|(i, n)| (*n, comp[i])).collect();
    (scc, cyclic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, UnionVariant};

    fn def(name: &str, kind: TypeKind) -> (String, TypeDef) {
        let t = TypeDef { name: name.into(), pointer: String::new(), description: None, kind, multipart: false, boxed: Vec::new() };
        (name.into(), t)
    }

    fn fields(tys: &[Ty]) -> TypeKind {
        let fields = tys
            .iter()
            .enumerate()
            .map(|(i, ty)| Field { name: format!("f{i}"), ident: format!("f{i}"), ty: ty.clone(), required: false, description: None })
            .collect();
        TypeKind::Struct { fields, additional: None }
    }

    fn named(n: &str) -> Ty {
        Ty::Named(n.into())
    }

    fn boxed(types: &IndexMap<String, TypeDef>, name: &str) -> Vec<String> {
        types[name].boxed.clone()
    }

    #[test]
    fn a_self_reference_is_boxed() {
        let mut types: IndexMap<_, _> = [def("Node", fields(&[named("Node")]))].into_iter().collect();
        decide(&mut types);
        assert_eq!(boxed(&types, "Node"), ["Node"]);
    }

    #[test]
    fn every_edge_of_a_cycle_is_boxed_and_nothing_outside_it() {
        let mut types: IndexMap<_, _> = [
            def("A", fields(&[named("B"), named("Leaf")])),
            def("B", fields(&[Ty::Option(Box::new(named("A")))])),
            def("Leaf", fields(&[Ty::String])),
            def("Outside", fields(&[named("A")])),
        ]
        .into_iter()
        .collect();
        decide(&mut types);
        assert_eq!(boxed(&types, "A"), ["B"]);
        assert_eq!(boxed(&types, "B"), ["A"]);
        assert!(boxed(&types, "Leaf").is_empty());
        assert!(boxed(&types, "Outside").is_empty());
    }

    #[test]
    fn references_behind_a_vec_or_map_are_not_boxed() {
        let mut types: IndexMap<_, _> = [
            def("Tree", fields(&[Ty::Vec(Box::new(named("Tree"))), Ty::Map(Box::new(named("Tree")))])),
        ]
        .into_iter()
        .collect();
        decide(&mut types);
        assert!(boxed(&types, "Tree").is_empty());
    }

    #[test]
    fn unions_and_aliases_take_part_in_cycles() {
        let union = TypeKind::Union {
            variants: vec![UnionVariant { ident: "Expr".into(), ty: named("Alias"), tags: Vec::new() }],
            tag: None,
            fallback: None,
        };
        let mut types: IndexMap<_, _> = [def("Expr", union), def("Alias", TypeKind::Alias(named("Expr")))].into_iter().collect();
        decide(&mut types);
        assert_eq!(boxed(&types, "Expr"), ["Alias"]);
        assert_eq!(boxed(&types, "Alias"), ["Expr"]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 100_000;
        let mut types: IndexMap<_, _> =
            (0..n).map(|i| def(&format!("T{i}"), fields(&[named(&format!("T{}", (i + 1) % n))]))).collect();
        decide(&mut types);
        assert_eq!(boxed(&types, "T0"), ["T1"]);
    }
}
