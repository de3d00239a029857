"""The document engine: the template syntax, the sandbox, the sanitiser and the PDF step.

Plain Python with no Django import, because it runs in the render worker process
(documents/engine/worker.py) that the web process starts and kills. The web side
talks to it only through documents/rendering.py.
"""
