using System;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Spatial resizing of [N, C, H, W] as <c>torch.nn.Upsample</c> with mode nearest or bilinear
/// (align_corners=False), by scale factor or by target size.
/// </summary>
/// <remarks>
/// Source coordinates are computed as PyTorch's CPU kernels do, in float: the scale is 1/scale_factor
/// when a scale factor was given, else in/out; bilinear uses max(scale * (dst + 0.5) - 0.5, 0).
/// Per-axis index and weight tables are built once per input size and reused.
/// </remarks>
public sealed class Upsample : PlaneLayer
{
    private readonly double _scaleH;
    private readonly double _scaleW;
    private readonly int _sizeH;
    private readonly int _sizeW;
    private ResampleAxis _rows;
    private ResampleAxis _cols;
    private ResampleKernel? _forward;
    private ResampleKernel? _backward;

    /// <summary>Creates a layer that scales each spatial axis by a factor; output size floor(in * factor).</summary>
    /// <param name="scaleH">Height factor (positive).</param>
    /// <param name="scaleW">Width factor (positive).</param>
    /// <param name="mode">Interpolation.</param>
    public Upsample(double scaleH, double scaleW, UpsampleMode mode)
    {
        if (!(scaleH > 0) || !(scaleW > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleH), "Scale factors must be positive.");
        }

        _scaleH = scaleH;
        _scaleW = scaleW;
        Mode = mode;
    }

    /// <summary>Creates a layer that resizes to a fixed (h, w).</summary>
    /// <param name="size">Target size.</param>
    /// <param name="mode">Interpolation.</param>
    public Upsample(Size2d size, UpsampleMode mode)
    {
        size.RequireAtLeast(1, nameof(size));
        _sizeH = size.H;
        _sizeW = size.W;
        Mode = mode;
    }

    /// <summary>Interpolation mode.</summary>
    public UpsampleMode Mode { get; }

    /// <inheritdoc />
    public override Size2d OutputSize(int inH, int inW) => _sizeH > 0
        ? new Size2d(_sizeH, _sizeW)
        : new Size2d((int)Math.Floor(inH * _scaleH), (int)Math.Floor(inW * _scaleW));

    /// <inheritdoc />
    protected override void OnInputShapeChanged(PlaneShape planes)
    {
        bool nearest = Mode == UpsampleMode.Nearest;
        _rows = new ResampleAxis(planes.InH, planes.OutH, _sizeH > 0 ? 0 : _scaleH, nearest);
        _cols = new ResampleAxis(planes.InW, planes.OutW, _sizeW > 0 ? 0 : _scaleW, nearest);
        (_forward, _backward) = Resampling.Select(nearest, planes.InH, planes.InW, planes.OutH, planes.OutW);
    }

    /// <inheritdoc />
    protected override bool ProcessesPlaneRanges => true;

    /// <inheritdoc />
    protected override void ForwardPlanes(float[] x, float[] y, PlaneShape planes) =>
        _forward!(
            x.AsSpan(planes.First * planes.InArea, planes.Count * planes.InArea), y.AsSpan(planes.First * planes.OutArea, planes.Count * planes.OutArea),
            _rows, _cols, planes.Count, planes.InH, planes.InW, planes.OutH, planes.OutW);

    /// <inheritdoc />
    protected override void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes) =>
        _backward!(
            gy.AsSpan(planes.First * planes.OutArea, planes.Count * planes.OutArea), gx.AsSpan(planes.First * planes.InArea, planes.Count * planes.InArea),
            _rows, _cols, planes.Count, planes.InH, planes.InW, planes.OutH, planes.OutW);
}
