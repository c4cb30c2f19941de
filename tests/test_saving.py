"""model.save / load_model / save_weights / load_weights in kteach alone: round trips, resuming
training, bad files, safe writes, ModelCheckpoint and BackupAndRestore. (Against real Keras:
tests/test_keras_interop.py.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.saving import SavingError


def mlp(units=4, compile=True):
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(units, activation="relu"),
                               layers.Dense(2)])
    if compile:
        model.compile(optimizer="adam", loss="mse")
    return model


def data(n=16):
    r = np.random.default_rng(0)
    return r.normal(size=(n, 3)).astype("float32"), r.normal(size=(n, 2)).astype("float32")


def test_save_and_load_give_the_same_model_and_training_resumes(tmp_path):
    kteach.utils.set_random_seed(0)
    x, y = data()
    model = mlp()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    again = kteach.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.optimizer.iterations == model.optimizer.iterations == 4
    model.train_on_batch(x, y)
    again.train_on_batch(x, y)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_zip_layout(tmp_path):
    mlp().save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        meta = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
    assert meta["keras_version"].startswith("3.") and "@" in meta["date_saved"]
    assert config["class_name"] == "Sequential" and "compile_config" in config


def test_weights_layout(tmp_path):
    import h5py
    model = mlp()
    model.train_on_batch(*data())
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5") as h5:
        assert h5["layers/dense/vars/0"].shape == (3, 4)
        assert h5["layers/dense_1/vars/1"].shape == (2,)
        assert h5["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert h5["optimizer/vars/0"][()] == 1 and h5["optimizer/vars/0"].dtype == np.int32
        assert len(h5["optimizer/vars"]) == 2 + 2 * 4
        assert h5["vars"].attrs["name"] == model.name and len(h5["vars"]) == 0


def test_load_model_compile_false(tmp_path):
    mlp().save(tmp_path / "m.keras")
    model = kteach.models.load_model(tmp_path / "m.keras", compile=False)
    assert model.optimizer is None


def test_load_weights_of_another_architecture_names_the_layer_and_changes_nothing(tmp_path):
    mlp(units=4).save_weights(tmp_path / "four.weights.h5")
    other = mlp(units=5)
    before = other.get_weights()
    with pytest.raises(SavingError, match=r"four\.weights\.h5.*dense.*\(3, 5\).*\(3, 4\)"):
        other.load_weights(tmp_path / "four.weights.h5")
    for a, b in zip(other.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_load_weights_with_more_layers_in_the_file(tmp_path):
    bigger = kteach.Sequential([kteach.Input((3,)), layers.Dense(4), layers.Dense(2),
                                layers.Dense(2)])
    bigger.save_weights(tmp_path / "big.weights.h5")
    with pytest.raises(SavingError, match="no place for"):
        mlp().load_weights(tmp_path / "big.weights.h5")
    with pytest.raises(SavingError, match="no weights for"):
        kteach.Sequential([kteach.Input((3,)), layers.Dense(4), layers.Dense(2), layers.Dense(2),
                           layers.Dense(1)]).load_weights(tmp_path / "big.weights.h5")


def test_weights_filename_rules(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        mlp().save_weights(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"\.keras"):
        mlp().save(tmp_path / "m.model")
    with pytest.raises(ValueError, match="legacy"):
        mlp().save(tmp_path / "m.h5")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"this is a text file, not a model\n", "not a zip archive"),
])
def test_bad_keras_files(tmp_path, content, message):
    path = tmp_path / "bad.keras"
    path.write_bytes(content)
    with pytest.raises(SavingError, match=message) as info:
        kteach.saving.load_model(path)
    assert "bad.keras" in str(info.value)


def test_truncated_and_corrupt_keras_files(tmp_path):
    mlp().save(tmp_path / "m.keras")
    whole = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SavingError, match="cut.keras.*truncated or damaged"):
        kteach.saving.load_model(tmp_path / "cut.keras")
    corrupt = bytearray(whole)
    start = whole.index(b"\x89HDF")
    for i in range(start + 100, start + 200):   # flip bytes inside the weights: the CRC fails
        corrupt[i] ^= 0xFF
    (tmp_path / "corrupt.keras").write_bytes(bytes(corrupt))
    with pytest.raises(SavingError, match="corrupt.keras.*damaged"):
        kteach.saving.load_model(tmp_path / "corrupt.keras")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.keras"):
        kteach.saving.load_model(tmp_path / "nowhere.keras")
    with pytest.raises(FileNotFoundError, match="nowhere.weights.h5"):
        mlp().load_weights(tmp_path / "nowhere.weights.h5")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mlp().save(tmp_path / "no" / "such" / "m.keras")


def test_keras2_legacy_h5_is_refused_with_the_way_out(tmp_path):
    import h5py
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as h5:   # what Keras 2's model.save('old.h5') writes at the top
        h5.attrs["keras_version"] = "2.13.1"
        h5.attrs["backend"] = "tensorflow"
        h5.create_group("model_weights").attrs["layer_names"] = [b"dense"]
    for load in (kteach.saving.load_model, mlp().load_weights):
        with pytest.raises(SavingError, match=r"old\.h5.*Keras 2's legacy.*model\.save\('m\.keras'\)"):
            load(path)


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    mlp().save(path)
    old = path.read_bytes()
    from kteach.saving import keras_file

    def broken(model):
        raise RuntimeError("disk full")
    monkeypatch.setattr(keras_file, "weights_bytes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        mlp().save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.keras"]


def test_overwrite_false_asks(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.weights.h5"
    mlp().save_weights(path)
    old = path.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    mlp(units=5).save_weights(path, overwrite=False)
    assert path.read_bytes() == old
    assert "already exists" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    mlp(units=5).save_weights(path, overwrite=False)
    assert path.read_bytes() != old


def test_unbuilt_model(tmp_path):
    model = kteach.Sequential([layers.Dense(2)])
    with pytest.raises(SavingError, match="not been built"):
        model.save_weights(tmp_path / "m.weights.h5")


def test_import_kteach_does_not_import_h5py():
    code = "import kteach, sys; print('h5py' in sys.modules, 'zipfile' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"


def test_no_pickle_in_saving():
    import kteach.saving as saving
    folder = os.path.dirname(saving.__file__)
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            assert "import pickle" not in text and "pickle." not in text, name


# ----- callbacks ---------------------------------------------------------------------------------
def test_model_checkpoint_keeps_the_best_epoch(tmp_path, capsys):
    kteach.utils.set_random_seed(0)
    x, y = data(32)
    model = mlp()
    best = tmp_path / "best.keras"
    ckpt = kteach.callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True,
                                            verbose=1)
    history = model.fit(x, y, epochs=4, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[ckpt])
    losses = history.history["val_loss"]
    assert ckpt.best == pytest.approx(min(losses))
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to" in out
    again = kteach.saving.load_model(best)
    assert again.evaluate(x[24:], y[24:], verbose=0) == pytest.approx(min(losses), rel=1e-5)


def test_model_checkpoint_filepath_fields(tmp_path):
    x, y = data()
    model = mlp()
    pattern = str(tmp_path / "ck" / "w-{epoch:02d}-{loss:.2f}.weights.h5")
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[kteach.callbacks.ModelCheckpoint(pattern, save_weights_only=True)])
    names = sorted(os.listdir(tmp_path / "ck"))
    assert [n[:5] for n in names] == ["w-01-", "w-02-"] and names[0].endswith(".weights.h5")
    bad = kteach.callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))
    with pytest.raises(KeyError, match="Failed to format"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[bad])
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        kteach.callbacks.ModelCheckpoint("w.keras", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        kteach.callbacks.ModelCheckpoint("w.h5")


def test_model_checkpoint_every_n_batches(tmp_path):
    x, y = data(32)
    model = mlp()
    path = str(tmp_path / "b-{epoch}-{batch}.weights.h5")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[
        kteach.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=2)])
    assert sorted(os.listdir(tmp_path)) == ["b-1-2.weights.h5", "b-1-4.weights.h5"]


def test_backup_and_restore_keeps_and_removes_the_backup(tmp_path):
    x, y = data()
    model = mlp()
    backup = tmp_path / "backup"
    seen = []

    class Stop(kteach.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(epoch)
            if epoch == 1:
                raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=4, verbose=0,
                  callbacks=[kteach.callbacks.BackupAndRestore(backup), Stop()])
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]
    saved = json.loads((backup / "training_metadata.json").read_text())
    assert saved == {"epoch": 1}
    fresh = mlp()
    cb = kteach.callbacks.BackupAndRestore(backup, delete_checkpoint=False)
    cb.set_model(fresh)
    cb.on_train_begin()
    assert fresh._initial_epoch == 2
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert fresh.optimizer.iterations == model.optimizer.iterations
    model.fit(x, y, epochs=1, verbose=0, callbacks=[kteach.callbacks.BackupAndRestore(backup)])
    assert not backup.exists()


def test_a_model_compiled_with_a_schedule_saves_and_resumes(tmp_path):
    # With a schedule the optimizer has no learning-rate variable (as in Keras), so its saved
    # state is the step count and then the slots.
    import kteach
    from kteach import layers
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(2)])
    schedule = kteach.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    model.compile(kteach.optimizers.Adam(learning_rate=schedule), "mse")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "scheduled.keras")
    again = kteach.models.load_model(tmp_path / "scheduled.keras")
    assert again.optimizer.iterations == model.optimizer.iterations == 2
    for m in (model, again):
        m.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_a_layer_called_with_two_tensors_is_written_as_keras_writes_it(tmp_path):
    # mha(q, v) is two positional arguments in Keras' config (real Keras refuses a single list)
    import kteach
    from kteach import layers
    q, v = kteach.Input((4, 8)), kteach.Input((5, 8))
    model = kteach.Model([q, v], layers.MultiHeadAttention(num_heads=2, key_dim=4)(q, v))
    model.save(tmp_path / "mha.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "mha.keras").read("config.json"))
    (mha,) = [l for l in config["config"]["layers"] if l["class_name"] == "MultiHeadAttention"]
    assert [a["config"]["shape"] for a in mha["inbound_nodes"][0]["args"]] == [[None, 4, 8],
                                                                                [None, 5, 8]]
    again = kteach.models.load_model(tmp_path / "mha.keras")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 4, 8)).astype("float32"), rng.normal(size=(2, 5, 8)).astype("float32")
    np.testing.assert_allclose(again.predict([a, b], verbose=0), model.predict([a, b], verbose=0),
                               rtol=1e-6)
