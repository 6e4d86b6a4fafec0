"""The guide objective picks, for each position, the guide feature with the largest dot product."""
import numpy as np

import dream


def test_guide_objective_picks_the_argmax_match(load, photo, small_photo):
    net = load()
    end = 'inception_3b/output'
    guide = np.ascontiguousarray(photo[:140, :180])
    y = dream.guide_features(net, guide, end)
    assert y.shape[0] == net.blobs[end].data.shape[1]

    src = net.blobs['data']
    src.reshape(1, 3, *small_photo.shape[:2])
    src.data[0] = dream.preprocess(net, small_photo)
    net.forward(end=end)
    dst = net.blobs[end]
    dream.objective_guide(y)(dst)

    ch = y.shape[0]
    x = dst.data[0].reshape(ch, -1).astype(np.float64)
    yy = y.reshape(ch, -1).astype(np.float64)
    diff = dst.diff[0].reshape(ch, -1)
    rng = np.random.RandomState(0)
    for pos in rng.choice(x.shape[1], 25, replace=False):
        scores = x[:, pos] @ yy  # dot product with every guide position
        best = int(np.argmax(scores))
        chosen = [j for j in range(yy.shape[1]) if np.array_equal(diff[:, pos], y.reshape(ch, -1)[:, j])]
        assert best in chosen or np.isclose(scores[chosen].max(), scores[best], rtol=1e-5)
    assert len({diff[:, p].tobytes() for p in range(diff.shape[1])}) > 1  # not one feature everywhere
