"""Where data set files live, how they are fetched, checked and unpacked: ``get_file``.

The cache is Keras' own folder, so a file downloaded by Keras is found by kteach and the other
way round::

    $KERAS_HOME/<cache_subdir>/<fname>     (KERAS_HOME defaults to ~/.keras)

A download goes to a hidden temporary file in that folder; only when it is complete and its
hash is right is it renamed to its real name (a rename within one folder is atomic), so a
broken connection or a wrong file never leaves a half file that looks like the real one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

from ..engine.errors import InvalidArgumentError, KteachError


class DownloadError(KteachError, OSError):
    """A data file could not be downloaded (no network, a missing page, a wrong hash)."""


class FileHashError(DownloadError, ValueError):
    """A file's hash differs from the one it should have: it is damaged or a different file.
    Keras raises a ValueError here, so this is one too."""


def keras_home() -> str:
    """Keras' folder: ``$KERAS_HOME`` if set, else ``~/.keras`` (``/tmp/.keras`` when the home
    folder cannot be written). Keras reads KERAS_HOME once at import; kteach reads it on every
    call, so a notebook (or a test) may change it."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    home = os.path.expanduser("~")
    if not os.access(home, os.W_OK):
        home = "/tmp"
    return os.path.join(home, ".keras")


def hash_file(path: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of a file, read in chunks (``'sha256'`` or ``'md5'``)."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _hash_algorithm(algorithm: str, file_hash: str) -> str:
    """Keras' rule for ``'auto'``: a 64-digit hash is sha256, anything else md5."""
    if algorithm not in ("auto", "sha256", "md5"):
        raise InvalidArgumentError(f"hash_algorithm must be 'auto', 'sha256' or 'md5', not "
                                   f"{algorithm!r}.")
    if algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    return algorithm


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = 65535) -> bool:
    """True when the file's hash equals ``file_hash``."""
    return hash_file(fpath, _hash_algorithm(algorithm, file_hash), chunk_size) == str(file_hash)


def cache_folder(cache_dir: str | None = None, cache_subdir: str = "datasets") -> str:
    """``cache_dir/cache_subdir`` (by default ``~/.keras/datasets``), made if missing. As in
    Keras, a folder that cannot be written is replaced by ``/tmp/.keras``."""
    base = os.path.expanduser(cache_dir if cache_dir is not None else keras_home())
    try:
        os.makedirs(base, exist_ok=True)    # Keras makes ~/.keras when it is imported
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    folder = os.path.join(base, cache_subdir)
    os.makedirs(folder, exist_ok=True)
    return folder


def _file_name(fname, origin: str) -> str:
    """``fname``, or else the last part of the URL's path."""
    name = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise InvalidArgumentError(f"get_file cannot tell a file name from the URL {origin!r}. "
                                   f"Pass one: get_file(fname='data.zip', origin=...).")
    if os.sep in name:
        raise InvalidArgumentError(
            f"get_file(fname={name!r}): fname is a file name, not a path (Keras 3 refuses "
            f"paths too). Put the folder in `cache_dir` instead: get_file("
            f"{os.path.basename(name)!r}, origin=..., cache_dir={os.path.dirname(name)!r}).")
    return name


def _targets(datadir: str, fname: str, given: bool, extract: bool) -> tuple[str, str | None]:
    """Where the downloaded file goes and, for an archive, the folder it is unpacked into.
    These names follow Keras 3 exactly, so that its cache is shared: ``fname="x.tar.gz"``
    keeps the archive as ``x.tar.gz`` and unpacks into ``x_extracted``; a name without a dot
    (``"cifar-10-batches-py-target"``) is the folder, and the archive is ``<name>_archive``."""
    if not extract:
        return os.path.join(datadir, fname), None
    if given and "." in fname:
        stem = fname[:fname.find(".")]
        return os.path.join(datadir, fname), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str | list | None = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """Return the local path of the file at ``origin``, downloading it first if it is not in
    the cache (``cache_dir/cache_subdir``, by default ``~/.keras/datasets``) -- as
    ``keras.utils.get_file``.

    ``file_hash`` (sha256, or md5 for a 32-digit hash) is checked after the download; a
    cached file whose hash is wrong is downloaded again. With ``extract=True`` (or the Keras 2
    ``untar=True``) a tar or zip archive is unpacked and the folder's path is returned.
    Without a network the error names the file, the URL and the path to put the file at.
    """
    if origin is None:
        raise InvalidArgumentError("get_file needs `origin`, the URL to download the file "
                                   "from, e.g. get_file('mnist.npz', origin='https://...').")
    if md5_hash is not None and file_hash is None:   # the Keras 2 argument
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = cache_folder(cache_dir, cache_subdir)

    extract = extract or untar
    target, folder = _targets(datadir, _file_name(fname, origin), bool(fname), extract)

    downloaded = False
    if force_download or not os.path.exists(target):
        if folder and not force_download and os.path.isdir(folder):
            return folder   # unpacked by hand (or the archive was deleted): use it as it is
        try:
            download(origin, target, file_hash, hash_algorithm)
        except DownloadError as e:
            if folder is None or isinstance(e, FileHashError):
                raise
            raise DownloadError(f"{e}\nOr unpack the archive yourself, so that what it "
                                f"holds is in the folder {folder}") from e
        downloaded = True
    elif file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        print(f"The file {target} is there, but its {_hash_algorithm(hash_algorithm, file_hash)} "
              f"hash is not {file_hash}: it is incomplete or a different version. "
              f"Downloading it again.")
        try:
            download(origin, target, file_hash, hash_algorithm)
        except DownloadError as e:
            raise type(e)(f"{e}\nThe file now at {target} cannot be used: its hash is not "
                          f"{file_hash}, so it is damaged or another version of the data; "
                          f"replace it with the file from {origin}.") from e
        downloaded = True

    if folder is None:
        return target
    if downloaded or not os.path.isdir(folder):
        if untar:
            archive_format = "tar"
        if not extract_archive(target, folder, archive_format):
            raise DownloadError(f"{target} is not a tar or zip archive, so it cannot be "
                                f"unpacked (extract=True). Check the URL {origin}, or call "
                                f"get_file with extract=False to keep the file as it is.")
    return folder


def _offline_message(fname: str, origin: str, target: str, reason: Any,
                     answered: bool = False) -> str:
    why = ("The server answered, so the URL is wrong or the file has moved" if answered
           else "This machine may have no internet access")
    return (f"Could not download {fname} from {origin} ({reason}). {why}. Fix: download "
            f"the file on a machine that can, and put it at\n"
            f"    {target}\n"
            f"(set the environment variable KERAS_HOME to use another folder than ~/.keras); "
            f"kteach and Keras both look there first.")


def download(origin: str, target: str, file_hash: str | None = None,
             hash_algorithm: str = "auto") -> None:
    """Download ``origin`` to ``target`` through a temporary file in the same folder, with a
    progress bar; check the hash before the file gets its real name."""
    folder, fname = os.path.split(target)
    print(f"Downloading data from {origin}")
    handle, part = tempfile.mkstemp(prefix=f".{fname}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(origin, timeout=60) as response:
                    _copy_with_progress(response, out, response.headers.get("Content-Length"))
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = getattr(e, "reason", None) or e
                answered = isinstance(e, urllib.error.HTTPError)
                if answered:
                    reason = f"HTTP {e.code} {e.reason}"
                raise DownloadError(_offline_message(fname, origin, target, reason,
                                                     answered)) from e
        if file_hash is not None:
            algorithm = _hash_algorithm(hash_algorithm, file_hash)
            got = hash_file(part, algorithm)
            if got != str(file_hash):
                raise FileHashError(
                    f"The file downloaded from {origin} has the {algorithm} hash {got}, but "
                    f"{fname} should have {file_hash}: it is damaged or a different file, so "
                    f"it was not kept. Try again; if it happens every time, the URL or the "
                    f"hash is wrong.")
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)


def _copy_with_progress(source, out, length: str | None, chunk: int = 1 << 16) -> None:
    """Copy in chunks, redrawing a one-line bar ``12345/67890 [=====>....] 18%``."""
    total = int(length) if length and length.isdigit() else None
    done, width = 0, 30
    while True:
        block = source.read(chunk)
        if not block:
            break
        out.write(block)
        done += len(block)
        if total:
            filled = min(width, done * width // total)
            bar = "=" * max(filled - 1, 0) + (">" if filled < width else "=")
            sys.stdout.write(f"\r{done}/{total} [{bar:<{width}}] {100 * done // total}%")
        else:
            sys.stdout.write(f"\r{done} bytes")
        sys.stdout.flush()
    sys.stdout.write("\n")


def _safe_members(archive_names: list[str], folder: str) -> None:
    """Refuse archives whose members would land outside ``folder`` (``../x``, ``/etc/x``)."""
    root = os.path.realpath(folder)
    for name in archive_names:
        where = os.path.realpath(os.path.join(folder, name))
        if where != root and not where.startswith(root + os.sep):
            raise DownloadError(f"The archive holds {name!r}, which would be written outside "
                                f"{folder}; it was not unpacked. The file is not a genuine "
                                f"data archive -- delete it and download it again.")


def extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Unpack a tar (plain, gz, bz2, xz) or zip archive into the folder ``path``; False if the
    file is none of the formats asked for. Unpacks into a temporary folder first and renames
    it, so ``path`` is either complete or absent."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in formats:
        if kind not in ("tar", "zip"):
            raise InvalidArgumentError(f"archive_format must be 'auto', 'tar', 'zip', a list "
                                       f"of those, or None, not {kind!r}.")
        if kind == "tar" and tarfile.is_tarfile(file_path):
            opener = tarfile.open
        elif kind == "zip" and zipfile.is_zipfile(file_path):
            opener = zipfile.ZipFile
        else:
            continue
        parent = os.path.dirname(os.path.abspath(path))
        staging = tempfile.mkdtemp(prefix=".extracting-", dir=parent)
        try:
            with opener(file_path) as archive:
                names = archive.getnames() if kind == "tar" else archive.namelist()
                _safe_members(names, staging)
                if kind == "tar":
                    _extract_tar(archive, staging)
                else:
                    archive.extractall(staging)
            if os.path.isdir(path):
                shutil.rmtree(path)
            os.replace(staging, path)
        finally:
            if os.path.isdir(staging):
                shutil.rmtree(staging)
        return True
    return False


def _extract_tar(archive: tarfile.TarFile, folder: str) -> None:
    """Python 3.12+ (and recent 3.10/3.11) can refuse links and devices themselves."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(folder, filter="data")
    else:
        for member in archive.getmembers():
            if member.issym() or member.islnk() or member.isdev():
                raise DownloadError(f"The archive holds the link or device {member.name!r}; "
                                    f"data archives have none, so it was not unpacked.")
        archive.extractall(folder)
