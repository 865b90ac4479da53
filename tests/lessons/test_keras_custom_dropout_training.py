"""Lesson 05: the seed's IMDB model, its data choice (never a download unasked), training and stored runs."""
import hashlib
import importlib
import json

import numpy as np
import pytest

from dropout_lab.data import imdb

tr = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.training")
results = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.results")
keras = tr.keras


@pytest.fixture(scope="module")
def data():
    return tr.load_reviews(source="subset")


@pytest.fixture(scope="module")
def small(data):
    """1,024 training rows and 256 validation rows: quick fits with the real model."""
    return tr.Reviews("subset", "small", data.x_train[:1024], data.y_train[:1024], data.x_val[:256],
                      data.y_val[:256], data.x_test[:256], data.y_test[:256])


def test_the_subset_split_holds_out_validation_from_the_training_reviews(data):
    assert data.source == "subset" and data.x_train.shape == (4000, 10000) and data.x_val.shape == (1000, 10000)
    assert data.x_test.shape == (5000, 10000) and data.x_train.dtype == np.float32
    # train + validation are exactly the 5,000 training reviews, each once (the test split untouched)
    (all_train, _), _ = imdb.load_data(num_words=10000)
    held = sorted(map(tuple, list(data.sequences["train"]) + list(data.sequences["val"])))
    assert held == sorted(map(tuple, all_train))
    assert set(np.unique(data.x_train.data)) == {1.0}
    assert "4000 train / 1000 validation / 5000 test" in data.summary()


# ------------------------------------------------------------------ which data (issue 8 §4: never download unasked)

@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv(imdb.ONLINE_ENV, raising=False)
    (tmp_path / "datasets").mkdir()

    def no_download(*args, **kwargs):
        raise AssertionError("keras.datasets.imdb.load_data was called: that could download")

    monkeypatch.setattr(keras.datasets.imdb, "load_data", no_download)
    return tmp_path / "datasets" / "imdb.npz"


@pytest.mark.parametrize("content", [None, b"", b"PK\x03\x04 a download cut short"])
def test_missing_empty_or_partial_keras_cache_falls_back_to_the_subset(offline, content):
    if content is not None:
        offline.write_bytes(content)
    source, why = tr.data_source()
    assert source == "subset" and "data/imdb" in why
    if content is not None:
        assert f"{len(content)} bytes" in why and "nothing downloaded" in why
    assert tr.load_reviews(num_words=100, val_rows=10).source == "subset"


def test_online_or_a_valid_cache_selects_keras_full_copy(offline, monkeypatch):
    calls = []
    seqs = np.empty(40, dtype=object)
    for i in range(40):
        seqs[i] = [1, 5 + i % 7, 9]

    def fake_load_data(num_words):
        calls.append(num_words)
        return (seqs, np.arange(40) % 2), (seqs[:20], np.arange(20) % 2)

    monkeypatch.setattr(keras.datasets.imdb, "load_data", fake_load_data)
    monkeypatch.setenv(imdb.ONLINE_ENV, "1")
    assert tr.data_source()[0] == "keras"
    reviews = tr.load_reviews(num_words=50, val_rows=10)
    assert calls == [50] and reviews.source == "keras" and reviews.x_train.shape == (30, 50)
    monkeypatch.delenv(imdb.ONLINE_ENV)
    offline.write_bytes(b"a valid file, by its hash")
    monkeypatch.setattr(imdb, "KERAS_IMDB_SHA256", hashlib.sha256(b"a valid file, by its hash").hexdigest())
    assert tr.data_source()[0] == "keras" and "valid cache" in tr.data_source()[1]


# ------------------------------------------------------------------ the model and its training

def test_model_is_the_seeds_architecture_with_dropout_after_each_hidden_layer():
    model = tr.build_model("custom", seed=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "CustomDropout", "Dense", "CustomDropout",
                                                                "Dense"]
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [16, 16, 1]
    assert [layer.kernel_regularizer is not None for layer in model.layers if hasattr(layer, "units")] == \
        [True, True, False]
    assert [type(layer).__name__ for layer in tr.build_model(None).layers] == ["Dense", "Dense", "Dense"]
    with pytest.raises(ValueError, match="dropout"):
        tr.build_model("torch")


def test_same_seed_same_initial_weights_in_every_variant():
    weights = [tr.build_model(v, seed=4).get_weights() for v in ("custom", "keras", None)]
    for other in weights[1:]:
        assert all(np.array_equal(u, v) for u, v in zip(weights[0], other))
    assert not np.array_equal(weights[0][0], tr.build_model(None, seed=5).get_weights()[0])


@pytest.fixture
def gpu_visible(monkeypatch):
    """Keras' jit_compile="auto" as it resolves on a machine with a GPU (trainer.py, _resolve_auto_jit_compile)."""
    import tensorflow as tf
    devices = tf.config.list_physical_devices()
    fake_gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: devices + [fake_gpu])


def test_jit_compile_auto_means_xla_where_a_gpu_is_visible_but_the_lessons_models_never_use_it(gpu_visible):
    auto = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    auto.compile(optimizer="sgd", loss="mse")
    assert auto.jit_compile is True           # the fake GPU makes "auto" choose XLA, so the next line can fail
    assert all(tr.build_model(v, seed=0).jit_compile is False for v in ("custom", "keras", None))


def test_xla_cannot_compile_the_sparse_model(small):
    model = tr.build_model("custom", seed=0)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", jit_compile=True)
    with pytest.raises(Exception, match="SparseFillEmptyRows"):
        model.fit(tr.dataset(small.x_train[:256], small.y_train[:256], 256), epochs=1, verbose=0)


def test_fit_draws_one_mask_per_step_and_evaluate_predict_none(small):
    model = tr.build_model("custom", seed=0)
    curves = tr.train(model, small, epochs=2, batch_size=256)
    assert curves.masks_drawn == 2 * 4  # 1,024 rows / 256 = 4 steps an epoch
    tr.dataset(small.x_val, small.y_val, 256)
    model.predict(tr.dataset(small.x_val, small.y_val, 256), verbose=0)
    model.evaluate(tr.dataset(small.x_val, small.y_val, 256), verbose=0)
    assert tr.masks_drawn(model) == 8
    assert curves.loss.shape == curves.loss_off.shape == curves.val_loss.shape == (2,)
    assert 0.4 < curves.test_accuracy <= 1.0 and np.all(np.isfinite(curves.val_loss))


def test_our_layer_and_keras_dropout_train_identically(small):
    ours = tr.train(tr.build_model("custom", seed=3), small, epochs=2, batch_size=256)
    theirs = tr.train(tr.build_model("keras", seed=3), small, epochs=2, batch_size=256)
    for metric in ("loss", "loss_off", "val_loss", "accuracy"):
        assert np.array_equal(getattr(ours, metric), getattr(theirs, metric)), metric


def test_dropout_off_loss_equals_evaluate_on_the_training_rows(small):
    model = tr.build_model("custom", seed=1)
    model.fit(tr.dataset(small.x_train, small.y_train, 256), epochs=1, verbose=0)
    off = tr.DropoutOffLoss(small.x_train, small.y_train)
    off.set_model(model)
    off.on_epoch_end(0)
    expected = model.evaluate(tr.dataset(small.x_train, small.y_train, 4096), verbose=0)[0]
    assert off.losses[0] == pytest.approx(expected, rel=1e-6)
    # and dropout on, the same rows give a different (noisier, higher on average) loss
    on = keras.losses.BinaryCrossentropy()(small.y_train[:, None], model(tr._sparse_tensor(small.x_train),
                                                                         training=True))
    assert float(on) != pytest.approx(off.losses[0], rel=1e-3)


def test_without_dropout_twin_has_the_same_inference_outputs(small):
    model = tr.build_model("custom", seed=2)
    model.fit(tr.dataset(small.x_train, small.y_train, 256), epochs=1, verbose=0)
    x = tr._sparse_tensor(small.x_val)
    plain = tr.without_dropout(model, seed=2)
    assert np.array_equal(keras.ops.convert_to_numpy(model(x)), keras.ops.convert_to_numpy(plain(x)))


# ------------------------------------------------------------------ the stored runs

@pytest.fixture(scope="module")
def stored():
    return results.load_runs()


def test_stored_runs_cover_every_job_with_the_lessons_settings(stored):
    stored_runs = importlib.import_module("dropout_lab.lessons.keras_custom_dropout.stored_runs")
    assert set(stored.runs) == set(stored_runs.jobs())
    assert stored.config == json.loads(json.dumps(stored_runs.config()))
    assert stored.seeds() == list(stored_runs.SEEDS) and stored.rates() == [0.0, *stored_runs.RATES]
    for (variant, _, _), curves in stored.runs.items():
        assert len(curves.val_loss) == tr.EPOCHS
        assert curves.masks_drawn == (0 if variant == "none" else tr.EPOCHS * 8)  # 4,000 rows / 512 = 8 steps


def test_stored_keras_and_custom_runs_are_identical(stored):
    for rate in stored.rates()[1:]:
        for metric in ("loss", "loss_off", "val_loss", "val_accuracy", "test_loss"):
            assert np.array_equal(stored.stack("custom", rate, metric), stored.stack("keras", rate, metric))


@pytest.mark.slow
@pytest.mark.parametrize("variant, rate", [("none", 0.0), ("custom", 0.5)])
def test_a_fresh_run_reproduces_stored_seed_0(data, stored, variant, rate):
    fresh = tr.train(tr.build_model(None if variant == "none" else variant, rate, seed=0), data)
    kept = stored.runs[variant, rate, 0]
    for metric in ("loss", "loss_off", "val_loss", "val_accuracy"):
        assert np.allclose(getattr(fresh, metric), getattr(kept, metric), atol=1e-5), metric
    assert fresh.test_accuracy == pytest.approx(kept.test_accuracy, abs=1e-5)


def test_spread_and_paired_numbers(stored):
    spread = results.Spread(np.array([1.0, 2.0, 3.0]))
    assert spread.mean == 2.0 and spread.sd == 1.0 and spread.se == pytest.approx(1 / np.sqrt(3))
    numbers = results.run_numbers(stored, "custom", 0.5)
    val = stored.stack("custom", 0.5, "val_loss")
    assert np.array_equal(numbers["best val loss"].values, val.min(axis=1))
    assert np.array_equal(numbers["best epoch"].values, val.argmin(axis=1) + 1)
    diff = results.paired(stored, "test accuracy", ("custom", 0.5), ("none", 0.0))
    assert np.allclose(diff.values, stored.stack("custom", 0.5, "test_accuracy") - stored.stack("none", 0.0,
                                                                                                 "test_accuracy"))


def test_rate_view_numbers(stored):
    view = results.rate_view(stored, 0.5, 20)
    expected = stored.stack("custom", 0.5, "val_loss")[:, 19].mean()
    assert view["readout"]["val loss, your layer"] == pytest.approx(expected)
    assert view["readout"]["gap fit − off"] == pytest.approx(view["readout"]["fit's train loss"]
                                                            - view["readout"]["train loss, dropout off"])
    zero = results.rate_view(stored, 0.0, 1)
    assert zero["readout"]["val loss, your layer"] == zero["readout"]["val loss, keras.layers.Dropout"]
