"""kteach.datasets and kteach.utils.get_file, without a network.

tests/fixtures/make_dataset_files.py writes small files in the formats of Keras' real ones
into a temporary KERAS_HOME; every download here is from a ``file://`` URL, and any other URL
is refused by the ``no_network`` fixture, which stands for a machine without internet.
"""
import gzip
import hashlib
import io
import os
import pickle
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import datasets
from kteach.datasets import _files
from kteach.datasets._pickle import UnsafePickleError, load_npz, load_pickle

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_dataset_files as fixture_files  # noqa: E402

REAL_URLOPEN = urllib.request.urlopen


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Only ``file://`` URLs open; anything else fails as on a machine without internet."""
    def urlopen(url, *args, **kwargs):
        if not str(url).startswith("file://"):
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        return REAL_URLOPEN(url, *args, **kwargs)
    monkeypatch.setattr(_files.urllib.request, "urlopen", urlopen)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home"


@pytest.fixture
def cache(home, monkeypatch) -> Path:
    """A KERAS_HOME holding the small files, with each loader's hash set to its file's."""
    hashes = fixture_files.write_all(str(home))
    for module, name in ((datasets.mnist, "mnist.npz"), (datasets.imdb, "imdb.npz"),
                         (datasets.reuters, "reuters.npz"),
                         (datasets.boston_housing, "boston_housing.npz"),
                         (datasets.california_housing, "california_housing.npz"),
                         (datasets.cifar10, "cifar-10-batches-py-target_archive"),
                         (datasets.cifar100, "cifar-100-python-target_archive")):
        monkeypatch.setattr(module, "SHA256", hashes[name])
    for module, name in ((datasets.imdb, "imdb_word_index.json"),
                         (datasets.reuters, "reuters_word_index.json")):   # md5, as Keras
        md5 = hashlib.md5((home / "datasets" / name).read_bytes()).hexdigest()
        monkeypatch.setattr(module, "WORD_INDEX_MD5", md5)
    return home / "datasets"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the loaders on files in Keras' formats ------------------------------------------------

def test_mnist_and_fashion_mnist_give_uint8_images_and_labels(cache):
    (x, y), (xt, yt) = datasets.mnist.load_data()
    assert (x.shape, y.shape, xt.shape, yt.shape) == ((6, 28, 28), (6,), (4, 28, 28), (4,))
    assert x.dtype == y.dtype == np.uint8
    (x, y), (xt, yt) = datasets.fashion_mnist.load_data()
    assert (x.shape, xt.shape, y.dtype, x.dtype) == ((5, 28, 28), (2, 28, 28), np.uint8, np.uint8)
    assert yt.tolist() == [9, 8]


def test_cifar10_unpacks_the_archive_into_keras_folder_and_is_channels_last(cache):
    (x, y), (xt, yt) = datasets.cifar10.load_data()
    assert (x.shape, y.shape, xt.shape, yt.shape) == ((10, 32, 32, 3), (10, 1),
                                                      (3, 32, 32, 3), (3, 1))
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    assert yt[:, 0].tolist() == [1, 2, 3]
    assert (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").is_file()
    # the stored layout is (n, 3, 32, 32): pixel (row 0, col 1) of the red plane is byte 1
    batch = load_pickle(str(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py"
                            / "test_batch"))
    assert xt[0, 0, 1, 0] == batch[b"data"][0, 1]
    assert xt[0, 0, 0, 2] == batch[b"data"][0, 2 * 1024]


def test_cifar100_fine_and_coarse_labels(cache):
    (x, y), (xt, yt) = datasets.cifar100.load_data()
    (_, yc), _ = datasets.cifar100.load_data(label_mode="coarse")
    assert (x.shape, y.shape, xt.shape) == ((4, 32, 32, 3), (4, 1), (2, 32, 32, 3))
    assert y.dtype == np.int64 and (yc == y // 5).all()
    with pytest.raises(ValueError, match="'fine'.*'coarse'"):
        datasets.cifar100.load_data(label_mode="superclass")


def test_housing_sets_split_as_keras(cache):
    (x, y), (xt, yt) = datasets.boston_housing.load_data()
    assert (x.shape, xt.shape, y.shape, x.dtype) == ((16, 13), (4, 13), (16,), np.float64)
    with np.load(cache / "boston_housing.npz") as f:
        order = np.arange(20)
        np.random.RandomState(113).shuffle(order)
        assert np.array_equal(np.concatenate([x, xt]), f["x"][order])
    (x, y), (xt, yt) = datasets.california_housing.load_data(version="small", test_split=0.5)
    assert (x.shape, xt.shape, x.dtype) == ((15, 8), (15, 8), np.float32)
    with pytest.raises(ValueError, match="below 1"):
        datasets.boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="'large'.*'small'"):
        datasets.california_housing.load_data(version="tiny")


def test_word_index_files(cache):
    assert datasets.imdb.get_word_index() == {"the": 1, "and": 2, "a": 3}
    assert datasets.reuters.get_word_index() == {"the": 1, "of": 2}
    assert len(datasets.reuters.get_label_names()) == 46
    assert datasets.reuters.get_label_names()[3] == "earn"


# --- IMDB's word rules, computed by hand -----------------------------------------------------
# The file holds train [[1, 2, 7, 3] (label 1), [4, 4] (label 0)] and test [[5, 1]] (label 0).
# Defaults: index_from=3 adds 3 to every rank, start_char=1 goes in front:
#   [1, 4, 5, 10, 6], [1, 7, 7]; test [1, 8, 4].
# num_words=None means "the largest index", 10, and the kept range [skip_top, num_words)
# excludes it, so 10 becomes oov_char=2 (Keras' rule):  [1, 4, 5, 2, 6].

def _by_label(x, y):
    return {int(label): list(seq) for seq, label in zip(x, y)}


def test_imdb_defaults_shift_by_index_from_and_add_the_start_char(cache):
    (x, y), (xt, yt) = datasets.imdb.load_data()
    assert x.dtype == object and x.shape == (2,) and y.dtype == np.int64
    assert _by_label(x, y) == {1: [1, 4, 5, 2, 6], 0: [1, 7, 7]}
    assert [list(s) for s in xt] == [[1, 8, 4]] and yt.tolist() == [0]


def test_imdb_num_words_skip_top_and_oov(cache):
    # keep [2, 6): 1 (start) and 6, 7, 8, 10 become 2
    (x, y), (xt, _) = datasets.imdb.load_data(num_words=6, skip_top=2)
    assert _by_label(x, y) == {1: [2, 4, 5, 2, 2], 0: [2, 2, 2]}
    assert [list(s) for s in xt] == [[2, 2, 4]]
    # oov_char=None drops them instead: keep [0, 8)
    (x, y), (xt, _) = datasets.imdb.load_data(num_words=8, oov_char=None)
    assert _by_label(x, y) == {1: [1, 4, 5, 6], 0: [1, 7, 7]}
    assert [list(s) for s in xt] == [[1, 4]]


def test_imdb_start_char_none_and_index_from_zero_give_the_raw_ranks(cache):
    (x, y), (xt, _) = datasets.imdb.load_data(start_char=None, index_from=0, num_words=100)
    assert _by_label(x, y) == {1: [1, 2, 7, 3], 0: [4, 4]}
    assert [list(s) for s in xt] == [[5, 1]]


def test_imdb_maxlen_keeps_only_shorter_reviews(cache):
    # lengths with the start char: 5 and 3 (train), 3 (test); maxlen=4 keeps len < 4.
    # The largest index left is then 8 (num_words=None), which becomes oov_char=2.
    (x, y), (xt, yt) = datasets.imdb.load_data(maxlen=4)
    assert [list(s) for s in x] == [[1, 7, 7]] and y.tolist() == [0]
    assert [list(s) for s in xt] == [[1, 2, 4]]
    with pytest.raises(ValueError, match="Increase maxlen"):
        datasets.imdb.load_data(maxlen=3)   # no review shorter than 3


def test_imdb_shuffles_with_the_seed(cache):
    for seed in (113, 0, 1, 2):
        order = np.arange(2)
        np.random.RandomState(seed).shuffle(order)
        (_, y), _ = datasets.imdb.load_data(seed=seed)
        assert y.tolist() == np.array([1, 0])[order].tolist()


def test_reuters_splits_after_shuffling(cache):
    (x, y), (xt, yt) = datasets.reuters.load_data(test_split=0.4, num_words=100)
    assert (len(x), len(xt)) == (3, 2) and x.dtype == object
    f = load_npz(str(cache / "reuters.npz"))
    order = np.arange(5)
    np.random.RandomState(113).shuffle(order)
    assert np.concatenate([y, yt]).tolist() == f["y"][order].tolist()
    assert [list(s) for s in np.concatenate([x, xt])] == [[1] + [w + 3 for w in f["x"][i]]
                                                        for i in order]


# --- get_file: cache folder, download, hash, atomic write, offline message -----------------

def _served(tmp_path, name: str, data: bytes) -> str:
    """A file:// URL for ``data``: a download that needs no network."""
    source = tmp_path / "server" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    return source.as_uri()


def test_get_file_downloads_into_keras_home_with_a_progress_bar(home, tmp_path, capsys):
    data = b"some data " * 1000
    url = _served(tmp_path, "notes.txt", data)
    path = kteach.utils.get_file("notes.txt", origin=url, file_hash=_sha256(data))
    assert path == str(home / "datasets" / "notes.txt")
    assert Path(path).read_bytes() == data
    out = capsys.readouterr().out
    assert f"Downloading data from {url}" in out and "10000/10000 [" in out and "100%" in out
    assert os.listdir(home / "datasets") == ["notes.txt"]      # no temporary file left
    os.remove(tmp_path / "server" / "notes.txt")              # the cached copy is used now
    assert kteach.utils.get_file("notes.txt", origin=url, file_hash=_sha256(data)) == path


def test_get_file_default_folder_is_home_dot_keras(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    url = _served(tmp_path, "a.bin", b"abc")
    assert datasets.get_file(origin=url) == str(tmp_path / ".keras" / "datasets" / "a.bin")
    assert datasets.get_file(origin=url, cache_dir=str(tmp_path / "c"), cache_subdir="x") == \
        str(tmp_path / "c" / "x" / "a.bin")


def test_a_wrong_hash_after_download_is_an_error_and_leaves_no_file(home, tmp_path):
    url = _served(tmp_path, "mnist.npz", b"not the real file")
    with pytest.raises(ValueError) as e:
        datasets.get_file("mnist.npz", origin=url, file_hash=datasets.mnist.SHA256)
    message = str(e.value)
    assert "sha256" in message and datasets.mnist.SHA256 in message and "not kept" in message
    assert isinstance(e.value, datasets.FileHashError)
    assert os.listdir(home / "datasets") == []
    # a 32-digit hash is md5, as in Keras
    with pytest.raises(ValueError, match="md5"):
        datasets.get_file("m.npz", origin=url, md5_hash="0" * 32)
    ok = hashlib.md5(b"not the real file").hexdigest()
    assert Path(datasets.get_file("m.npz", origin=url, md5_hash=ok)).is_file()


def test_a_cached_file_with_a_wrong_hash_is_downloaded_again(home, tmp_path, capsys):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "x.bin").write_bytes(b"half a fi")
    url = _served(tmp_path, "x.bin", b"half a file")
    path = datasets.get_file("x.bin", origin=url, file_hash=_sha256(b"half a file"))
    assert Path(path).read_bytes() == b"half a file"
    assert "Downloading it again" in capsys.readouterr().out


def test_offline_the_message_names_the_file_the_url_and_the_exact_path(home):
    with pytest.raises(OSError) as e:
        datasets.mnist.load_data()
    message = str(e.value)
    target = str(home / "datasets" / "mnist.npz")
    assert "mnist.npz" in message and target in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert "no internet" in message
    assert os.listdir(home / "datasets") == []
    with pytest.raises(OSError, match="cifar-10-batches-py-target_archive") as e:
        datasets.cifar10.load_data()
    assert f"in the folder {home / 'datasets' / 'cifar-10-batches-py-target'}" in str(e.value)


def test_offline_with_a_wrong_file_in_place_the_message_says_so(home):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "mnist.npz").write_bytes(b"an html error page")
    with pytest.raises(OSError) as e:
        datasets.mnist.load_data()
    assert "cannot be used: its hash is not" in str(e.value)
    assert str(home / "datasets" / "mnist.npz") in str(e.value)


def test_a_download_that_breaks_halfway_leaves_no_file(home, monkeypatch):
    class Broken(io.BytesIO):
        headers = {"Content-Length": "100"}
        def read(self, n=-1):
            raise ConnectionResetError("connection reset by peer")
        def __enter__(self):
            return self
    monkeypatch.setattr(_files.urllib.request, "urlopen", lambda url, timeout: Broken())
    with pytest.raises(OSError, match="connection reset"):
        datasets.get_file("big.bin", origin="https://example.invalid/big.bin")
    assert os.listdir(home / "datasets") == []


def _tar_gz(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_extract_uses_keras_folder_names(home, tmp_path):
    url = _served(tmp_path, "pack.tar.gz", _tar_gz({"pack/a.txt": b"A"}))
    # a name with a dot keeps the archive under it and unpacks into <stem>_extracted
    folder = datasets.get_file("pack.tar.gz", origin=url, extract=True)
    assert folder == str(home / "datasets" / "pack_extracted")
    assert (Path(folder) / "pack" / "a.txt").read_bytes() == b"A"
    assert (home / "datasets" / "pack.tar.gz").is_file()
    # a name without a dot is the folder; the archive is <name>_archive
    folder = datasets.get_file("packed", origin=url, untar=True)
    assert folder == str(home / "datasets" / "packed")
    assert (home / "datasets" / "packed_archive").is_file()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("b.txt", "B")
    url = _served(tmp_path, "z.zip", buffer.getvalue())
    folder = datasets.get_file("z.zip", origin=url, extract=True)
    assert (Path(folder) / "b.txt").read_text() == "B"


def test_an_unpacked_folder_put_there_by_hand_is_used_offline(home):
    folder = home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    got = datasets.get_file("cifar-10-batches-py-target", origin="https://x.invalid/c.tar.gz",
                            extract=True)
    assert got == str(folder.parent)


def test_archives_that_escape_their_folder_are_refused(home, tmp_path):
    url = _served(tmp_path, "evil.tar.gz", _tar_gz({"../../evil.txt": b"x"}))
    with pytest.raises(OSError, match="outside"):
        datasets.get_file("evil.tar.gz", origin=url, extract=True)
    assert not (home / "evil.txt").exists() and not (home.parent / "evil.txt").exists()


def test_get_file_argument_errors(home):
    with pytest.raises(ValueError, match="origin"):
        datasets.get_file("a.npz")
    with pytest.raises(ValueError, match="cache_dir"):
        datasets.get_file("sub/a.npz", origin="https://x.invalid/a.npz")


# --- pickles: only plain data and NumPy arrays ---------------------------------------------

class _Gadget:
    def __reduce__(self):
        return (os.system, ("echo owned",))


def test_the_restricted_unpickler_refuses_code(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Gadget()}, protocol=3))
    with pytest.raises(pickle.UnpicklingError, match="refused") as e:
        load_pickle(str(path))
    assert isinstance(e.value, UnsafePickleError) and "system" in str(e.value)
    bad = np.empty(1, dtype=object)
    bad[0] = _Gadget()
    np.savez(tmp_path / "imdb.npz", x_train=bad)
    with pytest.raises(pickle.UnpicklingError, match="download it again"):
        load_npz(str(tmp_path / "imdb.npz"))


# --- the shipped digits ----------------------------------------------------------------------

def test_the_shipped_digits_file_is_the_recorded_one():
    data = Path(datasets.digits.PATH).read_bytes()
    assert _sha256(data) == "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    readme = (Path(datasets.digits.PATH).parent / "README.txt").read_text()
    assert "CC BY 4.0" in readme and "BSD 3-Clause" in readme and "Alpaydin" in readme
    assert len(gzip.decompress(data).splitlines()) == 1797


def test_digits_load_data_shapes_dtypes_and_determinism():
    (x, y), (xt, yt) = datasets.digits.load_data()
    assert (x.shape, y.shape, xt.shape, yt.shape) == ((1437, 8, 8), (1437,), (360, 8, 8), (360,))
    assert x.dtype == y.dtype == np.uint8 and x.max() == 16 and x.min() == 0
    assert sorted(set(y.tolist())) == list(range(10))
    (x2, y2), _ = datasets.digits.load_data()
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    (x3, _), (xt3, _) = datasets.digits.load_data(test_split=0.5, seed=1)
    assert len(x3) == 898 and len(xt3) == 899 and not np.array_equal(x3[:10], x[:10])


def test_a_small_mlp_learns_the_digits():
    (x, y), (xt, yt) = datasets.digits.load_data()
    model = kteach.Sequential([kteach.Input((8, 8)), kteach.layers.Flatten(),
                               kteach.layers.Dense(32, activation="relu"),
                               kteach.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x / 16.0, y, epochs=15, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(xt / 16.0, yt, verbose=0)
    assert accuracy > 0.9


# --- a real HTTP download, from a server on this machine (loopback only) --------------------

@pytest.fixture
def local_server(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; stopped after the test."""
    import functools
    import http.server
    import threading
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(_files.urllib.request, "urlopen", REAL_URLOPEN)
    yield www, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_cifar10_downloads_unpacks_and_loads_from_an_empty_cache(home, local_server,
                                                                 monkeypatch, capsys):
    www, url = local_server
    fixture_files.cifar10_archive(str(www / "cifar-10-python.tar.gz"), np.random.RandomState(1))
    monkeypatch.setattr(datasets.cifar10, "ORIGIN", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.cifar10, "SHA256",
                        _sha256((www / "cifar-10-python.tar.gz").read_bytes()))
    (x, y), (xt, yt) = datasets.cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and yt[:, 0].tolist() == [1, 2, 3]
    assert "100%" in capsys.readouterr().out          # the server sent Content-Length
    assert sorted(os.listdir(home / "datasets")) == ["cifar-10-batches-py-target",
                                                     "cifar-10-batches-py-target_archive"]


def test_a_missing_page_names_the_http_error(home, local_server):
    _, url = local_server
    with pytest.raises(OSError, match="HTTP 404") as e:
        datasets.get_file("gone.npz", origin=url + "gone.npz")
    assert str(home / "datasets" / "gone.npz") in str(e.value)
    assert "URL is wrong" in str(e.value)
    assert os.listdir(home / "datasets") == []


def test_a_folder_unpacked_by_keras_is_not_unpacked_again(cache):
    datasets.cifar100.load_data()
    batch = cache / "cifar-100-python-target" / "cifar-100-python" / "train"
    os.utime(batch, (1, 1))
    datasets.cifar100.load_data()
    assert batch.stat().st_mtime == 1


def test_a_small_cnn_learns_the_digits():
    (x, y), (xt, yt) = datasets.digits.load_data()
    x, xt = x[..., None] / 16.0, xt[..., None] / 16.0
    model = kteach.Sequential([kteach.Input((8, 8, 1)),
                               kteach.layers.Conv2D(16, 3, activation="relu"),
                               kteach.layers.MaxPooling2D(2), kteach.layers.Flatten(),
                               kteach.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=kteach.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert model.evaluate(xt, yt, verbose=0)[1] > 0.9
