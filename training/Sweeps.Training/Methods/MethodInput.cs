namespace Sweeps.Training.Methods;

/// <summary>What a method's training loop receives per step; fixed by the method's base class.</summary>
public enum MethodInput
{
    /// <summary>Images and labels (<see cref="LabeledMethod"/>, from <c>DataLoader.Epoch</c>).</summary>
    Labeled,

    /// <summary>Images only (<see cref="LabelFreeMethod"/>, from <c>DataLoader.UnlabeledEpoch</c>): labels never
    /// reach the method or the training loop.</summary>
    Unlabeled,

    /// <summary>Two independently augmented views and labels (<see cref="TwoViewMethod"/>, from
    /// <c>DataLoader.TwoViewEpoch</c>).</summary>
    TwoView,
}
