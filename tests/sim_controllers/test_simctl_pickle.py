"""A simulated cluster can be pickled and deep-copied (multiprocessing, Ray), and the copy goes on
drawing exactly what the original draws."""

import copy
import pickle

import numpy as np

from aoi_gym.cluster.sim import SimCluster


def test_pickle_and_deepcopy_continue_the_same_random_stream():
    c = SimCluster(seed=3)
    c.new_uid()  # caches the fast draw hook, which is not picklable itself
    pickled, copied = pickle.loads(pickle.dumps(c)), copy.deepcopy(c)
    expected = [c.new_uid() for _ in range(3)]
    assert [pickled.new_uid() for _ in range(3)] == expected
    assert [copied.new_uid() for _ in range(3)] == expected
    assert len(set(expected)) == 3


def test_new_uid_follows_a_replaced_generator():
    a, b = SimCluster(seed=1), SimCluster(seed=2)
    a.new_uid()
    a.rng = np.random.default_rng(9)
    b.rng = np.random.default_rng(9)
    assert a.new_uid() == b.new_uid()
