// Compile-only mirror of TorchSharp 0.106.0: the module base classes, the module extension methods,
// Parameter and ParameterLessModule. Inheritance is as in TorchSharp:
//   Module <- HookableModule<TPreHook,TPostHook> <- Module<T,TResult> (+ IModule<T,TResult>)
using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace TorchSharp
{
    using Modules;

    public static partial class torch
    {
        public static partial class nn
        {
            // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:33 (a plain class in TorchSharp, not abstract)
            public class Module : IDisposable
            {
                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1064
                protected Module(string name) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.Dispose())
                public void Dispose() => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.Dispose(bool))
                protected virtual void Dispose(bool disposing) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.train; returns void, unlike PyTorch)
                public virtual void train(bool train = true) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.eval; returns void, unlike PyTorch)
                public virtual void eval() => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.training)
                public virtual bool training => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.zero_grad)
                public virtual void zero_grad(bool set_to_none = true) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.state_dict)
                public virtual Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.named_parameters)
                public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.parameters)
                public virtual IEnumerable<Parameter> parameters(bool recurse = true) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (Module.register_module; returns void)
                public virtual void register_module(string name, Module submodule) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1097 (what a custom module's constructor calls)
                protected virtual void RegisterComponents() => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }

            // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1221
            public interface IModule<T, TResult>
            {
                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1223
                public TResult call(T input1);
            }

            // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1294
            public class HookableModule<TPreHook, TPostHook> : Module
            {
                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1296
                protected HookableModule(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }

            // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1370
            public abstract class Module<T, TResult> : HookableModule<Func<Module<T, TResult>, T, T>, Func<Module<T, TResult>, T, TResult, TResult>>, IModule<T, TResult>
            {
                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1372
                protected Module(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1380
                public abstract TResult forward(T input);

                // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs:1386
                public TResult call(T input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }
        }
    }

    // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (public static class ModuleExtensionMethods, after the torch class)
    // The to(DeviceType, int, bool) overload is left out: nothing here needs the DeviceType enum.
    public static class ModuleExtensionMethods
    {
        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.to(ScalarType))
        public static T to<T>(this T module, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.to(Device, ScalarType))
        public static T to<T>(this T module, torch.Device device, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.to(Device))
        public static T to<T>(this T module, Device device, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.to(string))
        public static T to<T>(this T module, string device, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.to(Tensor))
        public static T to<T>(this T module, Tensor other, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.cpu)
        public static T cpu<T>(this T module, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/NN/Module.cs (ModuleExtensionMethods.cuda)
        public static T cuda<T>(this T module, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module => throw new System.NotSupportedException("compile-only TorchSharp surface");
    }

    namespace Modules
    {
        // TorchSharp v0.106.0: src/TorchSharp/NN/Parameter.cs:19
        public class Parameter : Tensor
        {
            // TorchSharp v0.106.0: src/TorchSharp/NN/Parameter.cs:24
            public Parameter(Tensor data, bool requires_grad = true) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/ParamLessModule.cs:12
        public interface IParameterLessModule
        {
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/ParamLessModule.cs:19 (base of every parameter-free layer below)
        public abstract class ParameterLessModule<T1, TResult> : nn.Module<T1, TResult>, IParameterLessModule
        {
            // TorchSharp v0.106.0: src/TorchSharp/NN/ParamLessModule.cs:21
            protected ParameterLessModule(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }
    }
}
