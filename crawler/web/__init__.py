"""The web app and the HTTP API: pages for monitors, researchers and operators on Vigil's database."""
