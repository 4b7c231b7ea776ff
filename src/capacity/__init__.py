"""capacity: forecasting and capacity planning for the reception of displaced people from Ukraine.

Data flows one way: data -> model -> scenario -> report. See README.md.
"""

__version__ = "0.1.0"
