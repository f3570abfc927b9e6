"""Built-in plugins: registered through the same hooks a team's plugin implements."""
