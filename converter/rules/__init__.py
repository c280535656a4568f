"""The mapping rules, one module per concern: the rule between the neutral model and ECS both ways, its pairs and facts.

The neutral model (converter/core/model.py) is Kubernetes-shaped, so reading Kubernetes (read/kubernetes/, with
the API server's defaulting) and writing Kubernetes (write/kubernetes/) are the Kubernetes format's I/O. The
mapping itself is model <-> ECS, and each concern's module here owns it in both directions: model -> ECS payload
fields (called by write/ecs/) and ECS fields -> model (called by read/ecs/), with the concern's field pairs
(``PAIRS``/``REVERSE_PAIRS`` or ``PAIR_TABLES``, converter/core/field_pairs.py) and the facts it applies. A concern
too big for one module is a subpackage: its ``__init__`` declares the pairs and facts, ``forward``/``reverse`` hold
the two directions. The registry of concerns is converter/core/concerns.py.

A rule module imports the ECS reader's view (read/ecs/view.py) only for type checking: converting Kubernetes
loads the forward rules and must not load the ECS reader (tests/test_startup.py).
"""
