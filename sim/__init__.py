"""A discrete-event simulator of just-in-time parts supply and car-service workshop flow."""

__version__ = "0.1.0"
