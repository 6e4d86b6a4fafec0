"""Input-size checks agree with the sizes Caffe itself produces, and refuse what would abort it."""
import pytest

import dream
from dream.net import read_net_param
from dream.shapes import spatial_sizes


@pytest.mark.parametrize("hw", [(224, 224), (160, 200), (575, 1024), (77, 91), (33, 35)])
def test_sizes_match_caffe(load, hw):
    net = load()
    sizes = spatial_sizes(net.dream_param, *hw, end='inception_5b/output')
    net.blobs['data'].reshape(1, 3, *hw)
    net.forward(end='inception_5b/output')  # net.reshape() would reach the classifier and abort
    for name in dream.dream_layers(net):
        if name in sizes and net.blobs[name].data.ndim == 4:
            assert sizes[name] == net.blobs[name].data.shape[2:], name


def test_smallest_input_per_layer(load):
    """15 pixels is the least that reaches inception_4c/output; Caffe gives an empty blob at 14."""
    net = load()
    param = net.dream_param
    end = 'inception_4c/output'
    spatial_sizes(param, 15, 15, end)
    with pytest.raises(dream.DreamError, match="too small"):
        spatial_sizes(param, 14, 15, end)
    for side, expected in [(15, (1, 1)), (14, (0, 0))]:
        net.blobs['data'].reshape(1, 3, side, side)
        net.forward(end=end)  # an empty blob, not an abort, at these two sizes
        assert net.blobs[end].data.shape[2:] == expected
    spatial_sizes(param, 223, 223, 'pool5/7x7_s1')
    with pytest.raises(dream.DreamError):
        spatial_sizes(param, 222, 223, 'pool5/7x7_s1')


def test_fully_connected_layer_needs_the_deploy_size(googlenet):
    param = read_net_param(googlenet[0])
    with pytest.raises(dream.DreamError, match="fixed input size"):
        spatial_sizes(param, 260, 224, end='loss3/classifier')
    spatial_sizes(param, 224, 224, end='loss3/classifier')
