namespace VaeGen.Runtime.Init;

/// <summary>
/// How a conv or linear layer's weight and bias start (spec 1.1, <c>init:</c>); each scheme is the
/// <c>torch.nn.init</c> function of the same name, drawn from this runtime's <see cref="Rng"/>.
/// </summary>
public enum InitScheme
{
    /// <summary>PyTorch's default (<c>reset_parameters</c>): <c>kaiming_uniform_(w, a=sqrt(5))</c> and a uniform bias in ±1/sqrt(fan_in).</summary>
    PyTorch,

    /// <summary><c>xavier_uniform_(w, gain=1)</c> (Keras's glorot_uniform); bias 0.</summary>
    XavierUniform,

    /// <summary><c>xavier_normal_(w, gain=1)</c>; bias 0.</summary>
    XavierNormal,

    /// <summary><c>kaiming_uniform_(w, a=0, mode='fan_in', nonlinearity='relu')</c>; bias 0.</summary>
    KaimingUniform,

    /// <summary><c>kaiming_normal_(w, a=0, mode='fan_in', nonlinearity='relu')</c>; bias 0.</summary>
    KaimingNormal,
}
