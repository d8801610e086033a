using System.Linq;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;

namespace VaeGen.Generators.Emitting
{
    /// <summary>What both emitters say about a plan's initialisation (spec 1.1 <c>init:</c>).</summary>
    internal static class InitDescription
    {
        /// <summary>The scheme of a row that draws parameters; PyTorch's default for every other row.</summary>
        public static InitScheme Of(LayerPlan row) => row.Layer switch
        {
            Conv2dSpec c => c.Init,
            ConvTranspose2dSpec t => t.Init,
            LinearSpec l => l.Init,
            _ => InitScheme.Pytorch,
        };

        /// <summary>How the constructor's summary names the initialisation: PyTorch's default for a v1 spec, else the schemes the spec chose.</summary>
        public static string Described(ModelPlan plan)
        {
            var used = plan.AllLayers.Where(r => r.Layer is Conv2dSpec || r.Layer is ConvTranspose2dSpec || r.Layer is LinearSpec)
                .Select(Of).Distinct().OrderBy(s => s).ToList();
            if (used.All(s => s == InitScheme.Pytorch))
            {
                return "PyTorch's default initialisation";
            }

            return "the spec's initialisation (init: " + string.Join(", ", used.Select(InitSchemeNames.ToKeyword)) + ")";
        }
    }
}
