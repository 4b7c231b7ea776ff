"""A planner's JupyterLab: the published JSON Schema of a scenario and the scenario editor.

- :mod:`capacity.lab.schema`: ``params/schema.json`` from :class:`~capacity.params.Scenario`
  (``make schema`` regenerates it), for editors that complete and check scenario YAML.
- :mod:`capacity.lab.form`: the editor's logic without widgets: the schema's leaf fields,
  the values of a scenario, the diff against the baseline, validation, saving a scenario.
- :mod:`capacity.lab.editor`: the ipywidgets form on top (``notebooks/scenario_editor.ipynb``).
"""
