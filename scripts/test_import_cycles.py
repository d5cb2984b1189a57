#!/usr/bin/env python3
"""Tests of scripts/import-cycles.py on small made-up crates: the circles it must see — including
`super::sibling` written in a file that is not a mod.rs, which an earlier version missed because
it started such a file's module path one level too high — and the layouts that are no circle."""
import importlib.util
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("cycles", os.path.join(HERE, "import-cycles.py"))
cycles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cycles)


def crate(files):
    root = tempfile.mkdtemp()
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    return root


class ImportCycles(unittest.TestCase):
    def quiet_check(self, root):
        out = sys.stdout
        sys.stdout = open(os.devnull, "w")
        try:
            return cycles.check(root)
        finally:
            sys.stdout = out

    def test_super_sibling_outside_a_mod_rs_is_seen(self):
        root = crate({
            "lib.rs": "pub mod a;",
            "a/mod.rs": "pub mod b; pub mod c;",
            "a/b.rs": "use super::c::Y; pub struct X;",
            "a/c.rs": "use super::b::X; pub struct Y;",
        })
        self.assertEqual(len(self.quiet_check(root)), 1)

    def test_crate_paths_and_mod_rs_super_are_seen(self):
        root = crate({
            "lib.rs": "pub mod a; pub mod d;",
            "a/mod.rs": "pub fn f() { crate::d::g() }",
            "d.rs": "pub fn g() { crate::a::f() }",
        })
        self.assertTrue(self.quiet_check(root))

    def test_one_way_edges_tests_and_comments_are_no_circle(self):
        root = crate({
            "lib.rs": "pub mod a;",
            "a/mod.rs": "pub mod b; pub mod c;",
            "a/b.rs": "use super::c::Y; // super::c is fine\n",
            "a/c.rs": "pub struct Y;\n#[cfg(test)]\nmod tests {\n    use super::super::b::*;\n}\n",
        })
        self.assertEqual(self.quiet_check(root), [])


if __name__ == "__main__":
    unittest.main()
