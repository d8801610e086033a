using System;
using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Shapes
{
    /// <summary>A tensor a module registers, named as PyTorch's state_dict names it.</summary>
    /// <param name="Name">The state_dict key, e.g. <c>encoder.0.weight</c>.</param>
    /// <param name="Shape">The tensor's shape.</param>
    /// <param name="IsBuffer">True for buffers (batchnorm running statistics), false for trainable parameters.</param>
    public sealed record ParameterTensor(string Name, EquatableArray<long> Shape, bool IsBuffer)
    {
        /// <summary>Element count.</summary>
        public long ElementCount => new TensorShape(Shape).ElementCount;

        /// <summary>"encoder.0.weight [32, 3, 3, 3]".</summary>
        public override string ToString() => Name + " " + TensorShape.Format(Shape);
    }
}
