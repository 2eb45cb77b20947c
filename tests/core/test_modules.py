import pytest

from core.modules import import_optional


def test_a_missing_module_is_none_and_an_existing_one_is_returned():
    assert import_optional("grids.no_such_module") is None
    assert import_optional("grids.selectors").__name__ == "grids.selectors"


def test_an_import_error_inside_an_existing_module_is_not_hidden(tmp_path, monkeypatch):
    (tmp_path / "broken_mod.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        import_optional("broken_mod")
