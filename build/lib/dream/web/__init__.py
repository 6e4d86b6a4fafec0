"""python -m dream serve's web app (Gradio): dream a photo, draw an ImageNet class, or zoom into a
photo, from a browser page (see app.build_app).

One net serves every page: Caffe's net holds one input at a time, so work goes through Gradio's
queue one job at a time (each page sees its place in it). A job runs in a thread of its own and
reports each step; the page gets the step and a preview every half second, and a cancel stops
the job at its next step. Bad input comes back as one sentence in the page, and the server keeps
serving.
"""
