"""Debusine's own models and code, for the tests to check their verdicts against.

Run with a Debusine release's Python and PYTHONPATH (see team notes / tests/debusine/server):

    debusine_models.py task-data <ModelName> FILE...      one JSON verdict per line
    debusine_models.py dynamic-data <ModelName> JSON...   one JSON verdict per JSON
    debusine_models.py artifact-data CATEGORY JSON...     one JSON verdict per pair
    debusine_models.py merge <directory> CHANGES...       Debusine's MergeUploads merge; prints the path

A verdict is {"valid": bool, "error": str}. Nothing here reimplements Debusine: it calls it.
"""

import json
import sys
from pathlib import Path


def verdict(validate):
    try:
        validate()
        return {"valid": True, "error": ""}
    except Exception as error:  # pydantic's ValidationError, or a validator's ValueError
        return {"valid": False, "error": str(error)}


def model_validate(cls, data):
    if hasattr(cls, "model_validate"):
        return cls.model_validate(data)
    return cls.parse_obj(data)


def load(path):
    text = Path(path).read_text()
    if path.endswith((".yaml", ".yml")):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def main(argv):
    command, name, *rest = argv
    if command == "task-data":
        from debusine.tasks import models

        cls = getattr(models, name)
        for path in rest:
            print(json.dumps({"path": path, **verdict(lambda: model_validate(cls, load(path)))}))
    elif command == "dynamic-data":
        from debusine.tasks import models

        cls = getattr(models, name)
        for text in rest:
            print(json.dumps(verdict(lambda: model_validate(cls, json.loads(text)))))
    elif command == "artifact-data":
        from debusine.artifacts.local_artifact import LocalArtifact

        def create_data(category, text):
            classes = LocalArtifact._local_artifacts_category_to_class
            if category not in classes:
                raise ValueError(f"{category} is not a category of this release")
            return classes[category].create_data(json.loads(text))

        pairs = [name, *rest]
        for category, text in zip(pairs[::2], pairs[1::2]):
            print(json.dumps(verdict(lambda: create_data(category, text))))
    elif command == "merge":
        from debusine.tasks.mergeuploads import MergeUploads
        from debusine.utils import read_changes

        task = MergeUploads({"input": {"uploads": [1]}})
        paths = [Path(path).absolute() for path in rest]
        task._changes_paths = paths
        merged = task.merge_changes(Path(name), [read_changes(path) for path in paths])
        print(merged)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
