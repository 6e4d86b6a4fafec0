"""Input-size checks agree with the sizes Caffe itself produces, and refuse what would abort it."""
import pytest
from google.protobuf import text_format

import caffe
from caffe.proto import caffe_pb2

import dream
from dream.network.net import read_net_param
from dream.network.shapes import spatial_sizes


@pytest.mark.parametrize("hw", [(224, 224), (160, 200), (575, 1024), (77, 91), (33, 35)])
def test_sizes_match_caffe(load, hw):
    net = load()
    sizes = spatial_sizes(net.dream_param, *hw, end='inception_5b/output')
    net.blobs['data'].reshape(1, 3, *hw)
    net.forward(end='inception_5b/output')  # net.reshape() would reach the classifier and abort
    for name in dream.dream_layers(net):
        if name in sizes and net.blobs[name].data.ndim == 4:
            assert sizes[name] == net.blobs[name].data.shape[2:], name


def test_smallest_input_per_layer(load, tmp_path):
    """15 pixels is the least that reaches inception_4c/output; Caffe gives an empty blob at 14."""
    net = load()
    param = net.dream_param
    end = 'inception_4c/output'
    spatial_sizes(param, 15, 15, end)
    with pytest.raises(dream.DreamError, match="too small"):
        spatial_sizes(param, 14, 15, end)
    # Caffe's own shapes, without running it (at 14 its products would call SGEMM with a leading
    # dimension of 0, an illegal BLAS call): the net up to `end`, reshaped.
    upto = caffe_pb2.NetParameter()
    upto.CopyFrom(param)
    last = max(i for i, layer in enumerate(param.layer) if end in layer.top)
    del upto.layer[last + 1:]
    path = tmp_path / "upto.prototxt"
    path.write_text(text_format.MessageToString(upto))
    truncated = caffe.Net(str(path), caffe.TEST)
    for side, expected in [(15, (1, 1)), (14, (0, 0))]:
        truncated.blobs['data'].reshape(1, 3, side, side)
        truncated.reshape()
        assert truncated.blobs[end].data.shape[2:] == expected
    net.blobs['data'].reshape(1, 3, 15, 15)
    net.forward(end=end)  # the least size runs
    spatial_sizes(param, 223, 223, 'pool5/7x7_s1')
    with pytest.raises(dream.DreamError):
        spatial_sizes(param, 222, 223, 'pool5/7x7_s1')


def test_fully_connected_layer_needs_the_deploy_size(googlenet):
    param = read_net_param(googlenet[0])
    with pytest.raises(dream.DreamError, match="fixed input size"):
        spatial_sizes(param, 260, 224, end='loss3/classifier')
    spatial_sizes(param, 224, 224, end='loss3/classifier')


def test_old_v1_prototxts_are_checked_too(tmp_path):
    """Caffe upgrades V1 nets ('layers', enum types, input_dim) on load; the size check reads them as they are."""
    import caffe
    v1 = tmp_path / "v1.prototxt"
    v1.write_text('input: "data"\ninput_dim: 1 input_dim: 3 input_dim: 32 input_dim: 32\n'
                  'layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" '
                  'convolution_param { num_output: 4 kernel_size: 5 stride: 2 } }\n'
                  'layers { name: "relu" type: RELU bottom: "conv" top: "conv" }\n'
                  'layers { name: "pool" type: POOLING bottom: "conv" top: "pool" '
                  'pooling_param { pool: MAX kernel_size: 3 stride: 2 } }\n')
    param = read_net_param(v1)
    net = caffe.Net(str(v1), caffe.TEST)
    for side in (32, 45, 11):
        net.blobs["data"].reshape(1, 3, side, side)
        net.forward()
        sizes = spatial_sizes(param, side, side, end="pool")
        assert sizes["conv"] == net.blobs["conv"].data.shape[2:]
        assert sizes["pool"] == net.blobs["pool"].data.shape[2:]
    with pytest.raises(dream.DreamError, match="too small"):
        spatial_sizes(param, 6, 6, end="pool")
