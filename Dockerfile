FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt . && pip install gunicorn==23.0.0
COPY . .
RUN DJANGO_SETTINGS_MODULE=enyang_grid.settings.dev python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "enyang_grid.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
