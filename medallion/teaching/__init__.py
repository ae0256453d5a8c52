"""The teaching kit's code: the environment check of Lab 0 and the helpers of the labs."""
