typedef int mc_dkim_key_placeholder;
